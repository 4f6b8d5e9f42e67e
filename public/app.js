// Progressive enhancement only: every page works without this file.
// htmx swaps the flash region out-of-band; this just lets a flash fade after a while.
document.addEventListener('htmx:afterSwap', () => {
  for (const el of document.querySelectorAll('.flash')) setTimeout(() => el.remove(), 8000)
})
