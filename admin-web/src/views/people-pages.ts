/** The people pages' HTML: the list with its search, the add and edit form, a person's page and the erase confirmation. */
import type { Door, EnrolledFace, Person } from '../../../cloud/src/domain/types.js';
import { html, type SafeHtml } from '../html.js';
import { formatDate, formatTime } from '../layout.js';

export type PeopleFlash = 'created' | 'saved' | 'erased' | 'enrolled' | 'photo-removed';

export const PEOPLE_FLASH: Record<PeopleFlash, string> = {
  created: 'Person added. Now enroll one to five photos of their face.',
  saved: 'Changes saved.',
  enrolled: 'Photos enrolled: this person can now be recognised at the doors they may use.',
  erased: 'Person erased: faces, photos, snapshots and their name in the log are gone.',
  'photo-removed': 'Photo removed: its face no longer matches and the photo is deleted.',
};

type PersonWithFaces = Person & { faces: EnrolledFace[] };

function validity(p: Person): string {
  if (p.validFrom === null && p.validUntil === null) return 'Always';
  return `${p.validFrom !== null ? formatDate(p.validFrom) : '…'} → ${p.validUntil !== null ? formatDate(p.validUntil) : '…'}`;
}

function personForm(action: string, doors: Door[], p: Partial<Person> | null, csrfToken: string, submit: string) {
  const some = Array.isArray(p?.allowedDoors);
  return html`<form method="post" action="${action}" class="stack person-form">
    <input type="hidden" name="_csrf" value="${csrfToken}">
    <label for="name">Full name</label>
    <input id="name" name="name" required maxlength="100" value="${p?.name ?? ''}" autocomplete="off">
    <div class="row">
      <div><label for="validFrom">Access from (optional)</label>
        <input id="validFrom" name="validFrom" type="date" value="${formatDate(p?.validFrom ?? null)}"></div>
      <div><label for="validUntil">Access until (optional)</label>
        <input id="validUntil" name="validUntil" type="date" value="${formatDate(p?.validUntil ?? null)}"></div>
    </div>
    <fieldset><legend>Doors</legend>
      <label class="check"><input type="radio" name="access" value="all" ${some ? '' : html`checked`}> Every door</label>
      <label class="check"><input type="radio" name="access" value="some" ${some ? html`checked` : ''}> Only these doors:</label>
      <div class="door-checks">
        ${
          doors.length
            ? doors.map(
                (d) =>
                  html`<label class="check"><input type="checkbox" name="doors" value="${d.doorId}" ${p?.allowedDoors?.includes(d.doorId) ? html`checked` : ''}> ${d.name}</label>`,
              )
            : html`<span class="muted small">No doors yet.</span>`
        }
      </div>
    </fieldset>
    ${
      p?.status
        ? html`<label for="status">Status</label>
        <select id="status" name="status">
          <option value="active" ${p.status === 'active' ? html`selected` : ''}>Active</option>
          <option value="inactive" ${p.status === 'inactive' ? html`selected` : ''}>Deactivated (no access)</option>
        </select>`
        : ''
    }
    <button type="submit" class="primary">${submit}</button>
  </form>`;
}

export function peopleListBody(
  people: (Person & { faceCount: number })[],
  q: string | undefined,
  status: string | undefined,
): SafeHtml {
  return html`<div class="page-head"><h1>People</h1><a class="button primary" href="/people/new">Add person</a></div>
    <form method="get" action="/people" class="filters" role="search">
      <div class="field wide"><label for="q">Search by name</label><input id="q" name="q" type="search" value="${q ?? ''}" maxlength="100"></div>
      <div class="field"><label for="status">Status</label>
      <select id="status" name="status">
        <option value="">Any</option>
        <option value="active" ${status === 'active' ? html`selected` : ''}>Active</option>
        <option value="inactive" ${status === 'inactive' ? html`selected` : ''}>Deactivated</option>
      </select></div>
      <div class="field actions"><button type="submit">Search</button></div>
    </form>
    ${
      people.length
        ? html`<table class="table" id="people-table"><thead><tr><th>Name</th><th>Status</th><th>Access</th><th>Photos</th></tr></thead><tbody>
        ${people.map(
          (p) => html`<tr>
            <td data-label="Name"><a href="/people/${p.personId}">${p.name}</a></td>
            <td data-label="Status"><span class="badge ${p.status === 'active' ? 'ok' : 'off'}">${p.status === 'active' ? 'Active' : 'Deactivated'}</span></td>
            <td data-label="Access">${validity(p)}${p.allowedDoors ? html` · ${p.allowedDoors.length} door(s)` : ''}</td>
            <td data-label="Photos">${p.faceCount === 0 ? html`<span class="badge warn">None</span>` : p.faceCount}</td>
          </tr>`,
        )}</tbody></table>`
        : html`<p class="empty">${q ? 'No one matches that search.' : 'No one is enrolled yet.'}</p>`
    }`;
}

export function newPersonBody(doors: Door[], csrfToken: string): SafeHtml {
  return html`<section class="card"><h1>Add a person</h1>${personForm('/people', doors, null, csrfToken, 'Add and continue to photos')}</section>`;
}

/** A person's page; `enrollPanel` is the enrollment widget (its markup belongs to the enrollment routes). */
export function personPageBody(
  person: PersonWithFaces,
  doors: Door[],
  csrfToken: string,
  enrollPanel: SafeHtml,
): SafeHtml {
  return html`<div class="page-head"><h1>${person.name}</h1>
      <span class="badge ${person.status === 'active' ? 'ok' : 'off'}">${person.status === 'active' ? 'Active' : 'Deactivated'}</span></div>
    <div class="two-col">
      <section class="card"><h2>Details</h2>${personForm(`/people/${person.personId}`, doors, person, csrfToken, 'Save changes')}
        <p class="muted small">Added ${formatTime(person.createdAt)} · updated ${formatTime(person.updatedAt)}</p></section>
      <section class="card"><h2>Face photos</h2>
        ${
          person.faces.length
            ? html`<div class="photo-grid">${person.faces.map(
                (f, i) =>
                  html`<figure class="enrolled-photo">
                    <img src="/people/${person.personId}/faces/${f.faceId}/photo" alt="Enrolled photo ${i + 1} of ${person.name}" width="120" height="120" loading="lazy">
                    <form method="post" action="/people/${person.personId}/faces/${f.faceId}/remove" data-confirm="Remove photo ${i + 1}? Its face stops matching at the doors and the photo is deleted; this cannot be undone.">
                      <input type="hidden" name="_csrf" value="${csrfToken}">
                      <button type="submit" class="link" aria-label="Remove photo ${i + 1} of ${person.name}">Remove</button>
                    </form>
                  </figure>`,
              )}</div>`
            : html`<p class="empty">No photo enrolled: this person cannot open any door yet.</p>`
        }
        ${enrollPanel}
      </section>
    </div>
    <section class="card danger-zone"><h2>Erase</h2>
      <p>Erasing removes this person's faces, photos and door snapshots and their name from the access log. It cannot be undone.</p>
      <a class="button danger" href="/people/${person.personId}/erase">Erase ${person.name}…</a></section>`;
}

export function eraseConfirmBody(person: PersonWithFaces, csrfToken: string): SafeHtml {
  return html`<section class="card narrow danger-zone"><h1>Erase ${person.name}?</h1>
  <p>This deletes ${person.faces.length} enrolled face(s) and photo(s), every door snapshot of this person, and their name in the access log. An audit entry records that you did it.</p>
  <form method="post" action="/people/${person.personId}/erase" class="stack">
    <input type="hidden" name="_csrf" value="${csrfToken}">
    <label class="check"><input type="checkbox" name="confirm" value="erase" required id="confirm-erase"> I understand this cannot be undone</label>
    <div class="button-row"><button type="submit" class="danger">Erase permanently</button>
      <a class="button" href="/people/${person.personId}">Cancel</a></div>
  </form></section>`;
}
