// The sign-in page and the invite sign-up page.
import { el, clear } from './dom.js';

export function signInView(root, { api, onSignedIn, notice }) {
  clear(root);
  const error = el('p', { class: 'error', role: 'alert' }, notice || '');
  const form = el('form', { class: 'card', 'aria-labelledby': 'signin-title' },
    el('h1', { id: 'signin-title' }, 'Sign in to Switchboard'),
    el('label', { for: 'workspace' }, 'Workspace'),
    el('input', { id: 'workspace', name: 'workspace', required: true, autocomplete: 'organization', autofocus: true }),
    el('label', { for: 'email' }, 'Email or handle'),
    el('input', { id: 'email', name: 'email', required: true, autocomplete: 'username' }),
    el('label', { for: 'password' }, 'Password'),
    el('input', { id: 'password', name: 'password', type: 'password', required: true, autocomplete: 'current-password' }),
    el('button', { type: 'submit' }, 'Sign in'),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    error.textContent = '';
    form.querySelector('button').disabled = true;
    try {
      const answer = await api.login(data.get('workspace').trim(), data.get('email').trim(), data.get('password'));
      onSignedIn(answer);
    } catch (failure) {
      error.textContent = failure.message;
      form.querySelector('button').disabled = false;
    }
  });
  root.append(form);
}

export async function inviteView(root, { api, code, onSignedIn }) {
  clear(root);
  const error = el('p', { class: 'error', role: 'alert' });
  let preview;
  try {
    preview = await api.invite(code);
  } catch (failure) {
    root.append(el('div', { class: 'card' }, el('h1', {}, 'This invite cannot be used'),
      el('p', {}, 'It was used already, or it expired. Ask for a new one.')));
    return;
  }
  const form = el('form', { class: 'card', 'aria-labelledby': 'invite-title' },
    el('h1', { id: 'invite-title' }, `Join ${preview.workspace.name}`),
    el('label', { for: 'display_name' }, 'Your name'),
    el('input', { id: 'display_name', name: 'display_name', required: true, autocomplete: 'name' }),
    el('label', { for: 'handle' }, 'Handle'),
    el('input', { id: 'handle', name: 'handle', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,39}', autocomplete: 'username' }),
    el('label', { for: 'email' }, 'Email (optional)'),
    el('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'email' }),
    el('label', { for: 'password' }, 'Password (at least 8 characters)'),
    el('input', { id: 'password', name: 'password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' }),
    el('button', { type: 'submit' }, 'Create account'),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    error.textContent = '';
    try {
      const body = { handle: data.get('handle').trim(), display_name: data.get('display_name').trim(), password: data.get('password') };
      if (data.get('email')) body.email = data.get('email').trim();
      const answer = await api.acceptInvite(code, body);
      history.replaceState(null, '', '/');
      onSignedIn({ ...answer, workspaceName: preview.workspace.name });
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
  root.append(form);
}
