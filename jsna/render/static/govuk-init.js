// Starts GOV.UK Frontend's components (service navigation toggle, skip link, details).
// A module script: it runs only in browsers GOV.UK Frontend supports.
import { initAll } from './vendor/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
