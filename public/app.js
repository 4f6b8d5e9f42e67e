// Progressive enhancement only: every page works without this file.
// htmx swaps the flash region out-of-band; this just lets a flash fade after a while.
document.addEventListener('htmx:afterSwap', () => {
  for (const el of document.querySelectorAll('.flash')) setTimeout(() => el.remove(), 8000)
})

// A "Print" button, shown only where it can work; the page's print styles do the rest.
for (const el of document.querySelectorAll('[data-print]')) el.hidden = false
document.addEventListener('click', (event) => {
  if (event.target instanceof Element && event.target.closest('[data-print]')) window.print()
})
