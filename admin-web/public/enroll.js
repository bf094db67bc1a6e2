// Enrollment on a person's page: pick files or capture from the webcam, get feedback on each photo
// at once, then enroll the good ones with a progress bar fed by the server's NDJSON stream.
'use strict';
(function () {
  const root = document.getElementById('enroll');
  if (!root) return;
  const personId = root.dataset.personId;
  const maxPhotos = Number(root.dataset.maxPhotos);
  const maxBytes = Number(root.dataset.maxBytes);
  const list = document.getElementById('photo-feedback');
  const submit = document.getElementById('enroll-submit');
  const progress = document.getElementById('enroll-progress');
  const status = document.getElementById('enroll-status');
  const fileInput = document.getElementById('photo-files');
  const video = document.getElementById('webcam-video');
  const camBox = document.getElementById('webcam-box');
  const camStart = document.getElementById('webcam-start');
  const camCapture = document.getElementById('webcam-capture');
  const photos = []; // { blob, name, ok, pending, li }

  const plural = function (n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  };

  // While any photo is still being checked the count of good ones is not known yet: say so, and
  // do not offer to enroll the ones checked so far.
  function refresh() {
    const checking = photos.filter(function (p) {
      return p.pending;
    }).length;
    const ready = photos.filter(function (p) {
      return p.ok;
    }).length;
    submit.disabled = checking > 0 || ready === 0;
    if (checking) submit.textContent = 'Checking ' + plural(checking, 'photo') + '…';
    else submit.textContent = ready ? 'Enroll ' + plural(ready, 'photo') : 'Enroll photos';
  }

  // A thumbnail only for a photo the server could decode; anything else (or a picture this browser
  // cannot show) gets a plain tile instead of a broken-image icon with its alt text spilling over.
  function thumbnail(p, decoded) {
    const tile = document.createElement('span');
    tile.className = 'thumb-missing';
    tile.setAttribute('aria-hidden', 'true');
    tile.textContent = '?';
    if (!decoded) return tile;
    const img = document.createElement('img');
    img.src = URL.createObjectURL(p.blob);
    img.alt = 'Selected photo ' + p.name;
    img.width = 64;
    img.height = 64;
    img.addEventListener('error', function () {
      img.replaceWith(tile);
    });
    return img;
  }

  function describe(check) {
    const parts = [];
    if (check.faceCount === 0) parts.push('No face found');
    else parts.push(check.faceCount === 1 ? 'Face found' : check.faceCount + ' faces');
    if (check.face)
      parts.push('face ' + Math.round(check.face.box.width) + '×' + Math.round(check.face.box.height) + ' px');
    if (check.face && check.face.sharpness !== null) parts.push('sharpness ' + Math.round(check.face.sharpness));
    if (check.width) parts.push('image ' + check.width + '×' + check.height);
    return parts.join(' · ');
  }

  function render(p, check, error) {
    p.li.replaceChildren();
    const img = thumbnail(p, !!check);
    const text = document.createElement('div');
    const title = document.createElement('strong');
    title.textContent = p.name;
    text.appendChild(title);
    const line = document.createElement('div');
    line.className = 'small';
    line.textContent = error ? error : describe(check);
    text.appendChild(line);
    if (check) {
      check.issues.forEach(function (i) {
        const d = document.createElement('div');
        d.className = 'small issue-' + i.severity;
        d.textContent = (i.severity === 'error' ? '✗ ' : '! ') + i.message;
        text.appendChild(d);
      });
      if (check.ok && !check.issues.length) {
        const d = document.createElement('div');
        d.className = 'small issue-ok';
        d.textContent = '✓ Good photo';
        text.appendChild(d);
      }
    }
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'link';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', 'Remove ' + p.name);
    remove.addEventListener('click', function () {
      photos.splice(photos.indexOf(p), 1);
      p.li.remove();
      refresh();
    });
    p.li.className = 'photo-item ' + (p.ok ? 'good' : 'bad');
    p.li.append(img, text, remove);
  }

  async function add(blob, name) {
    if (photos.length >= maxPhotos) {
      status.textContent = 'At most ' + maxPhotos + ' photos at a time.';
      return;
    }
    const p = { blob: blob, name: name, ok: false, pending: true, li: document.createElement('li') };
    photos.push(p);
    list.appendChild(p.li);
    p.li.textContent = 'Checking ' + name + '…';
    refresh();
    if (blob.size > maxBytes) {
      p.pending = false;
      render(p, null, 'Too large: at most ' + maxBytes / 1048576 + ' MB');
      return refresh();
    }
    const form = new FormData();
    form.append('photo', blob, name);
    try {
      const res = await window.facegate.postForm('/api/photos/check?personId=' + encodeURIComponent(personId), form);
      const body = await res.json();
      p.pending = false;
      if (!res.ok) {
        render(p, null, body.message || 'Refused');
      } else {
        p.ok = body.ok;
        render(p, body, null);
      }
    } catch (err) {
      p.pending = false;
      render(p, null, 'Could not check the photo: ' + err.message);
    }
    refresh();
  }

  fileInput.addEventListener('change', function () {
    Array.from(fileInput.files).forEach(function (f) {
      add(f, f.name);
    });
    fileInput.value = '';
  });

  camStart.addEventListener('click', async function () {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
      video.srcObject = stream;
      camBox.hidden = false;
      camCapture.hidden = false;
      camStart.hidden = true;
    } catch (err) {
      status.textContent = 'The webcam is not available: ' + err.message;
    }
  });

  let shot = 0;
  camCapture.addEventListener('click', function () {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
    canvas.toBlob(
      function (blob) {
        if (blob) add(blob, 'webcam-' + ++shot + '.jpg');
      },
      'image/jpeg',
      0.92,
    );
  });

  submit.addEventListener('click', async function () {
    const ready = photos.filter(function (p) {
      return p.ok;
    });
    const checking = photos.some(function (p) {
      return p.pending;
    });
    if (!ready.length || checking) return;
    submit.disabled = true;
    progress.hidden = false;
    progress.max = ready.length;
    progress.value = 0;
    status.textContent = 'Indexing 0 of ' + ready.length + '…';
    const form = new FormData();
    ready.forEach(function (p) {
      form.append('photos', p.blob, p.name);
    });
    try {
      const res = await window.facegate.postForm('/api/people/' + encodeURIComponent(personId) + '/photos', form);
      if (!res.ok) {
        const body = await res.json();
        status.textContent = body.message || 'Enrollment refused';
        submit.disabled = false;
        return;
      }
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffered += decoder.decode(chunk.value, { stream: true });
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const msg = JSON.parse(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          if (msg.type === 'progress') {
            progress.value = msg.done;
            status.textContent = 'Indexing ' + msg.done + ' of ' + msg.total + '…';
          } else if (msg.type === 'done') {
            if (msg.enrolled > 0) {
              status.textContent = msg.enrolled + (msg.enrolled === 1 ? ' photo' : ' photos') + ' enrolled.';
              window.location.assign(window.location.pathname + '?flash=enrolled');
            } else {
              const why = msg.results
                .map(function (r, k) {
                  const issues = r.issues
                    .map(function (i) {
                      return i.message;
                    })
                    .join(' ');
                  return ready[k] ? ready[k].name + ': ' + issues : issues;
                })
                .join(' ');
              status.textContent = 'No photo was enrolled. ' + why;
              submit.disabled = false;
            }
          } else if (msg.type === 'error') {
            status.textContent = msg.message;
          }
        }
      }
    } catch (err) {
      status.textContent = 'Upload failed: ' + err.message;
      submit.disabled = false;
    }
  });
})();
