// Virtual door: webcam → canvas → JPEG about twice a second → POST to the door's camera; the
// relay state comes back over SSE and lights the lamp.
'use strict';
(function () {
  const root = document.getElementById('vdoor');
  if (!root) return;
  const interval = Number(root.dataset.intervalMs) || 500;
  const maxBytes = Number(root.dataset.maxBytes);
  const video = document.getElementById('vdoor-video');
  const canvas = document.getElementById('vdoor-canvas');
  const lamp = document.getElementById('vdoor-lamp');
  const lockText = document.getElementById('vdoor-lock');
  const decision = document.getElementById('vdoor-decision');
  const statusEl = document.getElementById('vdoor-status');
  const start = document.getElementById('vdoor-start');
  const stop = document.getElementById('vdoor-stop');
  let timer = null;
  let stream = null;
  let sent = 0;
  let busy = false;

  const REASONS = {
    unknown: 'Face not recognised',
    inactive: 'Person deactivated',
    not_yet_valid: 'Access not valid yet',
    expired: 'Access expired',
    door_not_allowed: 'Not allowed at this door',
    door_disabled: 'Door disabled',
  };

  const events = new EventSource('/virtual-door/stream');
  events.addEventListener('state', function (e) {
    const s = JSON.parse(e.data);
    lamp.className = 'lamp lamp-' + s.lock;
    lockText.textContent = s.lock === 'unlocked' ? 'Unlocked' : 'Locked';
    if (s.lastDecision) {
      const at = window.facegate.siteTime(s.lastDecision.at, true);
      decision.textContent =
        s.lastDecision.type === 'unlock'
          ? 'Access granted · ' + at
          : 'Access denied: ' + (REASONS[s.lastDecision.reason] || s.lastDecision.reason || 'refused') + ' · ' + at;
      decision.className = 'decision ' + (s.lastDecision.type === 'unlock' ? 'granted' : 'denied');
    }
  });

  function toJpeg(quality) {
    return new Promise(function (resolve) {
      canvas.toBlob(resolve, 'image/jpeg', quality);
    });
  }

  async function tick() {
    if (busy || !video.videoWidth) return;
    busy = true;
    try {
      // Frames travel over MQTT with a 92 KB budget: 640 px wide and lower quality if needed.
      const scale = Math.min(1, 640 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
      let blob = await toJpeg(0.85);
      if (blob && blob.size > maxBytes) blob = await toJpeg(0.6);
      if (!blob || blob.size > maxBytes) return;
      const res = await fetch('/virtual-door/frames', {
        method: 'POST',
        body: blob,
        headers: { 'content-type': 'image/jpeg', 'x-csrf-token': window.facegate.csrfToken() },
        credentials: 'same-origin',
      });
      if (res.ok) {
        sent++;
        statusEl.textContent = 'Camera on · ' + sent + (sent === 1 ? ' frame' : ' frames') + ' sent';
      } else {
        const body = await res.json().catch(function () {
          return {};
        });
        statusEl.textContent = 'Frame refused: ' + (body.message || res.status);
      }
    } catch (err) {
      statusEl.textContent = 'Could not send a frame: ' + err.message;
    } finally {
      busy = false;
    }
  }

  start.addEventListener('click', async function () {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
      video.srcObject = stream;
      timer = setInterval(tick, interval);
      start.hidden = true;
      stop.hidden = false;
      statusEl.textContent = 'Camera on';
    } catch (err) {
      statusEl.textContent = 'The webcam is not available: ' + err.message;
    }
  });

  stop.addEventListener('click', function () {
    clearInterval(timer);
    if (stream)
      stream.getTracks().forEach(function (t) {
        t.stop();
      });
    video.srcObject = null;
    start.hidden = false;
    stop.hidden = true;
    statusEl.textContent = 'Camera off';
  });
})();
