// Shared helpers for the page scripts: the CSRF token every state-changing request must carry.
'use strict';
// A form with data-confirm asks first (removing a photo cannot be undone); without script it just submits.
document.addEventListener('submit', function (event) {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.getAttribute('data-confirm') : null;
  if (question && !window.confirm(question)) event.preventDefault();
});
window.facegate = {
  csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  },
  async postForm(url, formData) {
    return fetch(url, {
      method: 'POST',
      body: formData,
      headers: { 'x-csrf-token': this.csrfToken() },
      credentials: 'same-origin',
    });
  },
};
