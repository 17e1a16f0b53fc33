import { useThemeStore, type ThemeMode } from '../../stores/themeStore'

const LABEL: Record<ThemeMode, string> = { system: 'System', light: 'Light', dark: 'Dark' }

/** Cycles system → light → dark; the name says the current mode, the title what comes next. */
export function ThemeToggle() {
  const mode = useThemeStore((s) => s.mode)
  const cycle = useThemeStore((s) => s.cycle)
  return (
    <button
      type="button"
      className="btn btn-ghost btn-sm theme-toggle"
      onClick={cycle}
      aria-label={`Theme: ${LABEL[mode]}`}
      title="Switch theme (system, light, dark)"
    >
      <svg
        className="icon"
        width="14"
        height="14"
        viewBox="0 0 16 16"
        aria-hidden="true"
        focusable="false"
      >
        <circle cx="8" cy="8" r="6.25" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M8 1.75a6.25 6.25 0 0 1 0 12.5z" fill="currentColor" />
      </svg>
      <span>{LABEL[mode]}</span>
    </button>
  )
}
