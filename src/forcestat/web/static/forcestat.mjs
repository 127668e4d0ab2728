// Progressive enhancement only: every number is in the HTML without this script.
import { initAll } from '/govuk-frontend/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// Sortable tables: a table marked data-sortable gets a sort button in each heading.
for (const table of document.querySelectorAll('table[data-sortable]')) {
  const headings = table.querySelectorAll('thead th')
  headings.forEach((heading, column) => {
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = heading.textContent.trim()
    heading.textContent = ''
    heading.appendChild(button)
    heading.setAttribute('aria-sort', 'none')
    button.addEventListener('click', () => {
      const ascending = heading.getAttribute('aria-sort') !== 'ascending'
      headings.forEach((h) => h.setAttribute('aria-sort', 'none'))
      heading.setAttribute('aria-sort', ascending ? 'ascending' : 'descending')
      const body = table.tBodies[0]
      const rows = Array.from(body.rows)
      const key = (row) => {
        const cell = row.cells[column]
        const text = (cell.dataset.sortValue ?? cell.textContent).trim()
        const number = Number(text.replace(/,/g, ''))
        return text !== '' && !Number.isNaN(number) ? number : text.toLowerCase()
      }
      rows.sort((a, b) => {
        const [x, y] = [key(a), key(b)]
        const order = x < y ? -1 : x > y ? 1 : 0
        return ascending ? order : -order
      })
      rows.forEach((row) => body.appendChild(row))
    })
  })
}
