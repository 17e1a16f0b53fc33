import { useEffect, useId, useRef, type ReactNode } from 'react'
import './feature.css'

/**
 * A native modal <dialog>: focus moves into it and stays there, Escape closes it, and focus
 * returns to the opener. Labelled by its title.
 */
export function ModalDialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean
  title: string
  onClose: () => void
  children: ReactNode
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal()
      else dialog.setAttribute('open', '')
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close()
      else dialog.removeAttribute('open')
    }
  }, [open])

  return (
    <dialog
      ref={ref}
      className="feature-dialog"
      aria-labelledby={titleId}
      // Escape asks the owner, which may refuse (e.g. while a call runs).
      onCancel={(event) => {
        event.preventDefault()
        onClose()
      }}
    >
      {open && (
        <>
          <h2 id={titleId} className="feature-dialog__title">
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  )
}
