/**
 * Light, dark, or follow the system (`prefers-color-scheme`). The choice is kept in
 * localStorage and applied as data-theme on <html>; CSS does the rest.
 */
import { create } from 'zustand'

export type ThemeMode = 'system' | 'light' | 'dark'
const KEY = 'eventscope.theme'

function stored(): ThemeMode {
  try {
    const value = globalThis.localStorage?.getItem(KEY)
    return value === 'light' || value === 'dark' ? value : 'system'
  } catch {
    return 'system'
  }
}

export function applyTheme(mode: ThemeMode): void {
  if (typeof document === 'undefined') return
  if (mode === 'system') delete document.documentElement.dataset['theme']
  else document.documentElement.dataset['theme'] = mode
}

interface ThemeState {
  mode: ThemeMode
  setMode(mode: ThemeMode): void
  /** system → light → dark → system */
  cycle(): void
  reset(): void
}

const NEXT: Record<ThemeMode, ThemeMode> = { system: 'light', light: 'dark', dark: 'system' }

export const useThemeStore = create<ThemeState>()((set, get) => ({
  mode: stored(),
  setMode(mode) {
    try {
      if (mode === 'system') globalThis.localStorage?.removeItem(KEY)
      else globalThis.localStorage?.setItem(KEY, mode)
    } catch {
      // the choice lasts for this session only
    }
    applyTheme(mode)
    set({ mode })
  },
  cycle: () => get().setMode(NEXT[get().mode]),
  reset: () => set({ mode: stored() }),
}))
