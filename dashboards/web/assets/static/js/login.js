// The login page: a failed login comes back to /login?error=... (a 303
// from POST /login), which would empty the form. The user name is kept in
// this tab's sessionStorage when the form is sent and put back after a
// failure, so only the password has to be typed again. The name never
// travels in the URL (it would land in logs and the history).
'use strict';

(function () {
  const KEY = 'campusguard.login_name';
  const form = document.getElementById('login-form');
  const name = document.getElementById('login-name');
  const password = document.getElementById('login-password');
  if (!form || !name || !password) return;
  const store = (() => {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null; // storage disabled: the name is typed again
    }
  })();
  const failed = !!document.getElementById('login-error');
  if (store) {
    const kept = store.getItem(KEY);
    if (failed && kept && !name.value) {
      name.value = kept;
      password.value = '';
      password.focus();
    }
    if (!failed) store.removeItem(KEY);
  }
  form.addEventListener('submit', () => {
    if (store) store.setItem(KEY, name.value.trim());
  });
})();
