// Shared helpers for the page scripts: the CSRF token every state-changing request must carry.
'use strict';
// A form with data-confirm asks first (removing a photo cannot be undone); without script it just submits.
document.addEventListener('submit', function (event) {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.getAttribute('data-confirm') : null;
  if (question && !window.confirm(question)) event.preventDefault();
});
window.facegate = {
  /** 'YYYY-MM-DD HH:MM:SS' (or the time alone) in the site's zone, 24-hour, as the server renders times. */
  siteTime(ms, timeOnly) {
    const meta = document.querySelector('meta[name="site-time-zone"]');
    const parts = {};
    new Intl.DateTimeFormat('en-GB', {
      timeZone: (meta && meta.getAttribute('content')) || 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(ms))
      .forEach(function (p) {
        parts[p.type] = p.value;
      });
    const time = parts.hour + ':' + parts.minute + ':' + parts.second;
    return timeOnly ? time : parts.year + '-' + parts.month + '-' + parts.day + ' ' + time;
  },
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
