// Live door state on the dashboard and doors pages: one SSE stream, elements found by data-door-id.
'use strict';
(function () {
  const LOCK_TEXT = { locked: 'Locked', unlocked: 'Unlocked', unknown: 'Unknown' };
  const indicator = document.getElementById('live-indicator');
  function fmt(ms) {
    return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—';
  }
  function apply(door) {
    document.querySelectorAll('[data-door-id="' + CSS.escape(door.doorId) + '"]').forEach(function (el) {
      const online = el.querySelector('[data-field="online"]');
      if (online) {
        online.textContent = door.online ? 'Online' : 'Offline';
        online.className = 'badge ' + (door.online ? 'ok' : 'off');
      }
      const lock = el.querySelector('[data-field="lock"]');
      if (lock) {
        lock.textContent = LOCK_TEXT[door.lock] || 'Unknown';
        lock.className = 'lock lock-' + door.lock;
      }
      const seen = el.querySelector('[data-field="lastSeenAt"]');
      if (seen) seen.textContent = fmt(door.lastSeenAt);
    });
    const cards = document.querySelectorAll('[data-door-id] [data-field="online"]');
    const stat = document.getElementById('stat-online');
    if (stat && cards.length) {
      const ids = new Set();
      let on = 0;
      cards.forEach(function (c) {
        const id = c.closest('[data-door-id]').getAttribute('data-door-id');
        if (ids.has(id)) return;
        ids.add(id);
        if (c.textContent === 'Online') on++;
      });
      stat.textContent = on + '/' + ids.size;
    }
  }
  const source = new EventSource('/stream/doors');
  source.addEventListener('door', function (e) {
    apply(JSON.parse(e.data));
  });
  source.addEventListener('open', function () {
    if (indicator) indicator.classList.remove('stale');
  });
  source.addEventListener('error', function () {
    if (indicator) indicator.classList.add('stale');
  });
})();
