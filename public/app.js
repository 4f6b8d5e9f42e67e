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

// "Select all" over a form's checkboxes of one name (data-select-all="keep"); the boxes work without it.
for (const el of document.querySelectorAll('[data-select-all-label]')) el.hidden = false
document.addEventListener('change', (event) => {
  const box = event.target
  if (!(box instanceof HTMLInputElement) || !box.form) return
  const name = box.dataset.selectAll
  if (name) {
    for (const other of box.form.querySelectorAll('input[type="checkbox"]')) {
      if (other.name === name && !other.disabled) other.checked = box.checked
    }
  }
  // A row marked "not relevant" is not proposed, so its keep box is unticked to say so.
  if (box.name === 'notRelevant' && box.checked) {
    for (const keep of box.form.querySelectorAll('input[name="keep"]')) if (keep.value === box.value) keep.checked = false
  }
})
