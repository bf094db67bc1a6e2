// Shared helpers for the page scripts: the CSRF token every state-changing request must carry.
'use strict';
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
