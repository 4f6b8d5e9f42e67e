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
    for (const keep of box.form.querySelectorAll('input[name="keep"]'))
      if (keep.value === box.value) keep.checked = false
  }
})

// The session behind an open page can end (idle time, a sign-out elsewhere) or be renewed in another tab. The header
// then says who is really signed in, and the page's CSRF token follows the session, so a form refused after a lapse
// is sent again by the same button once its person has signed in (src/accounts/lapse.ts). Values stay in the page.
function syncToken(nav) {
  const token = nav && nav.dataset.csrf
  if (!token) return
  document.body.setAttribute('hx-headers', JSON.stringify({ 'X-CSRF-Token': token }))
  for (const input of document.querySelectorAll('input[name="_csrf"]')) input.value = token
}
document.addEventListener('htmx:afterSettle', () => syncToken(document.getElementById('site-nav')))
// A second refused press replaces the sign-in box rather than stacking another; any answer replaces a busy notice
// (src/plugins/errors.ts), which a second busy answer puts back.
document.addEventListener('htmx:beforeSwap', (event) => {
  if (event.detail.xhr.getResponseHeader('X-Lapsed')) document.getElementById('lapse-box')?.remove()
  document.getElementById('busy-box')?.remove()
})
async function refreshSession() {
  const current = document.getElementById('site-nav')
  if (!current) return
  try {
    const res = await fetch('/session/nav', {
      headers: { 'HX-Request': 'true' },
      credentials: 'same-origin',
      cache: 'no-store',
    })
    if (!res.ok) return
    const holder = document.createElement('template')
    holder.innerHTML = (await res.text()).trim()
    const nav = holder.content.querySelector('#site-nav')
    if (!nav) return
    if (current.querySelector('.nav-menu')?.open) nav.querySelector('.nav-menu')?.setAttribute('open', '')
    current.replaceWith(nav)
    if (window.htmx) window.htmx.process(nav)
    syncToken(nav)
  } catch {
    /* offline: the next request will say */
  }
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') refreshSession()
})
window.addEventListener('pageshow', (event) => {
  if (event.persisted) refreshSession()
})
