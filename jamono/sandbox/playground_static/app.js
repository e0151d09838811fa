// The NOX playground's page script. The server renders every region from the sandbox's state
// (jamono/sandbox/html.py escapes all message and view text); this script only swaps those
// server-rendered regions in, and turns clicks, menus and forms into requests the server delivers
// to NOX as Slack would (signed events, slash commands, block_actions, view_submission).
// No text from a message is ever inserted here: only the server's escaped HTML or textContent.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const state = { as: 'U0DEV', channel: null, thread: null, homeId: null, modal: null, modalKey: null,
    opener: null, regions: {}, generation: 0, busy: 0 };

  function swap(el, html) {
    if (state.regions[el.id] === html) return false;
    state.regions[el.id] = html;
    el.innerHTML = html; // server-rendered, escaped HTML (see jamono/sandbox/html.py)
    return true;
  }

  function say(text) { $('status').textContent = text; }

  async function post(path, body) {
    state.busy += 1;
    try {
      const response = await fetch('/playground/' + path, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(Object.assign({ as: state.as }, body)),
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) say('⚠ ' + (data.error || 'the playground answered ' + response.status));
      else if (data.status && data.status >= 300) say('⚠ NOX answered HTTP ' + data.status);
      return data;
    } catch (error) {
      say('⚠ could not reach the sandbox: ' + error);
      return {};
    } finally {
      state.busy -= 1;
      refresh();
    }
  }

  async function refresh() {
    const query = new URLSearchParams({ as: state.as, channel: state.channel || '', thread: state.thread || '' });
    const generation = ++state.generation;
    let snap;
    try {
      const response = await fetch('/playground/state?' + query.toString());
      snap = await response.json();
    } catch (error) { return; }
    // Only the newest answer counts: an older one must not take the person back where they were.
    if (!snap || !snap.sidebar || generation !== state.generation) return;
    state.channel = snap.channel;
    swap($('sidebar'), snap.sidebar);
    $('title').textContent = snap.title;
    const home = snap.channel === 'home';
    $('home').hidden = !home;
    $('messages').hidden = home;
    $('composer').hidden = home;
    if (home) {
      swap($('home'), snap.home || '');
    } else if (swap($('messages'), snap.messages)) {
      $('messages').scrollTop = $('messages').scrollHeight;
    }
    swap($('bookmarks'), snap.bookmarks || '');
    $('bookmarks-bar').hidden = !snap.bookmarks;
    state.homeId = snap.home_id || null;
    $('thread').hidden = !snap.thread;
    if (snap.thread && swap($('thread-messages'), snap.thread)) {
      $('thread-messages').scrollTop = $('thread-messages').scrollHeight;
    }
    showModal(snap.modal);
    document.body.dataset.seq = String(snap.seq);
  }

  function showModal(modal) {
    const backdrop = $('modal-backdrop');
    if (!modal) {
      if (!backdrop.hidden) {
        backdrop.hidden = true;
        state.modal = null;
        state.modalKey = null;
        const back = state.opener && document.contains(state.opener) ? state.opener : $('composer-input');
        if (back && !back.closest('[hidden]')) back.focus();
      }
      return;
    }
    const key = modal.id + '|' + modal.hash + '|' + JSON.stringify(modal.errors || {});
    state.modal = modal;
    if (key === state.modalKey) return;
    const fresh = backdrop.hidden || !state.modalKey || state.modalKey.split('|')[0] !== modal.id;
    state.modalKey = key;
    if (backdrop.hidden) state.opener = document.activeElement;
    $('modal-title').innerHTML = modal.title; // escaped by the server
    $('modal-submit').innerHTML = modal.submit;
    $('modal-submit').hidden = !modal.submit;
    $('modal-close').innerHTML = modal.close;
    state.regions['modal-body'] = null;
    swap($('modal-body'), modal.html);
    backdrop.hidden = false;
    const invalid = $('modal-body').querySelector('[aria-invalid="true"]');
    const first = invalid || $('modal-body').querySelector('input, textarea, select, button') || $('modal-submit');
    if (fresh || invalid) first.focus();
  }

  // --- values, as Slack puts them in view.state.values --------------------------------------------
  function option(select) {
    const chosen = select.options[select.selectedIndex];
    if (!chosen || !chosen.value) return null;
    return { text: { type: 'plain_text', text: chosen.text, emoji: true }, value: chosen.value };
  }

  function valueOf(el) {
    const type = el.dataset.type;
    if (['plain_text_input', 'email_text_input', 'url_text_input', 'number_input'].includes(type)) {
      return { type: type, value: el.value === '' ? null : el.value };
    }
    if (type === 'datepicker') return { type: type, selected_date: el.value || null };
    if (type === 'timepicker') return { type: type, selected_time: el.value || null };
    if (type === 'static_select' || type === 'external_select') return { type: type, selected_option: option(el) };
    if (type === 'multi_static_select' || type === 'multi_external_select') {
      return { type: type, selected_options: Array.from(el.selectedOptions).map((o) => (
        { text: { type: 'plain_text', text: o.text, emoji: true }, value: o.value })) };
    }
    const picked = Array.from(el.selectedOptions || []).map((o) => o.value).filter(Boolean);
    if (type === 'users_select') return { type: type, selected_user: picked[0] || null };
    if (type === 'multi_users_select') return { type: type, selected_users: picked };
    if (type === 'conversations_select') return { type: type, selected_conversation: picked[0] || null };
    if (type === 'multi_conversations_select') return { type: type, selected_conversations: picked };
    if (type === 'channels_select') return { type: type, selected_channel: picked[0] || null };
    if (type === 'multi_channels_select') return { type: type, selected_channels: picked };
    return null;
  }

  function collect(root) {
    const values = {};
    const put = (el, value) => {
      const block = el.dataset.blockId;
      values[block] = values[block] || {};
      values[block][el.dataset.actionId] = value;
    };
    const groups = {};
    root.querySelectorAll('[data-action-id]').forEach((el) => {
      const type = el.dataset.type;
      if (type === 'button' || type === 'overflow') return;
      if (type === 'radio_buttons' || type === 'checkboxes') {
        const key = el.dataset.blockId + '\u0000' + el.dataset.actionId;
        groups[key] = groups[key] || { el: el, type: type, chosen: [] };
        if (el.checked) groups[key].chosen.push({ text: { type: 'plain_text', text: el.dataset.text, emoji: true }, value: el.value });
        return;
      }
      const value = valueOf(el);
      if (value) put(el, value);
    });
    Object.values(groups).forEach((g) => {
      put(g.el, g.type === 'radio_buttons'
        ? { type: g.type, selected_option: g.chosen[0] || null }
        : { type: g.type, selected_options: g.chosen });
    });
    return values;
  }

  // --- actions ---------------------------------------------------------------------------------
  function where(el) {
    if (el.closest('#modal')) return { view_id: state.modal && state.modal.id };
    if (el.closest('#home')) return { view_id: state.homeId };
    const message = el.closest('article.msg');
    if (!message) return null;
    return { channel: message.dataset.channel, ts: message.dataset.ts, ephemeral: !!message.dataset.ephemeral };
  }

  function act(el, action) {
    const context = where(el);
    if (!context) return;
    state.opener = el;
    action.action_id = el.dataset.actionId;
    action.block_id = el.dataset.blockId;
    say('You clicked ' + (el.textContent || action.action_id).trim());
    post('action', Object.assign({ action: action }, context));
  }

  function go(channel) {
    state.channel = channel;
    state.thread = null;
    if (channel === 'home') post('home', {}); else refresh();
  }

  document.addEventListener('click', (event) => {
    const target = event.target.closest('button, a');
    if (!target) return;
    if (target.matches('.nav[data-channel]')) { go(target.dataset.channel); return; }
    if (target.matches('.thread-link[data-thread]')) {
      state.thread = target.dataset.thread;
      refresh().then(() => $('thread-input').focus());
      return;
    }
    if (target.matches('button.bk-button[data-action-id]')) {
      const action = {};
      if (target.dataset.value !== undefined) action.value = target.dataset.value;
      act(target, action);
      return;
    }
    if (target.matches('a.bk-button[data-action-id]')) {
      act(target, {}); // Slack also tells the app about a link button's click
    }
  });

  document.addEventListener('change', (event) => {
    const el = event.target;
    if (el.matches('select.msg-menu')) {
      const message = el.closest('article.msg');
      const callback = el.value;
      const label = el.selectedIndex >= 0 ? el.options[el.selectedIndex].text : callback;
      el.value = '';
      if (callback && message) {
        state.opener = el;
        say('Shortcut: ' + label);
        post('shortcut', { channel: message.dataset.channel, ts: message.dataset.ts, callback_id: callback });
      }
      return;
    }
    if (!el.matches('select[data-action-id]') || el.closest('.bk-input') || el.closest('#modal-body .bk-input')) return;
    if (el.dataset.type === 'overflow') {
      const chosen = option(el);
      if (chosen) act(el, { selected_option: chosen });
      return;
    }
    const value = valueOf(el);
    if (value) act(el, value);
  });

  async function send(input, thread) {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    say('Sent to NOX…');
    const result = await post('say', { channel: state.channel, text: text, thread_ts: thread });
    if (!thread && result.ts && !text.startsWith('/')) {
      state.thread = result.thread_ts || result.ts; // NOX answers in the message's thread
      refresh();
    }
  }

  function composer(form, input, threaded) {
    form.addEventListener('submit', (event) => { event.preventDefault(); send(input, threaded ? state.thread : null); });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send(input, threaded ? state.thread : null);
      }
    });
  }
  composer($('composer'), $('composer-input'), false);
  composer($('thread-composer'), $('thread-input'), true);

  $('close-thread').addEventListener('click', () => { state.thread = null; refresh(); $('composer-input').focus(); });
  $('as').addEventListener('change', (event) => {
    state.as = event.target.value;
    state.regions = {};
    if (state.channel && state.channel !== 'home') state.channel = null; // each person has their own DM
    go(state.channel || '');
  });

  $('modal-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!state.modal) return;
    say('Submitting the form…');
    const result = await post('submit', { view_id: state.modal.id, values: collect($('modal-body')) });
    if (result.errors) say('NOX found problems in the form');
  });
  $('modal-close').addEventListener('click', () => {
    if (state.modal) post('close', { view_id: state.modal.id });
  });
  $('modal').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      if (state.modal) post('close', { view_id: state.modal.id });
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = Array.from($('modal').querySelectorAll('input, select, textarea, button, a[href]'))
      .filter((el) => !el.disabled && !el.hidden && el.offsetParent !== null);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  let timer = null;
  function soon() { if (!timer) timer = setTimeout(() => { timer = null; refresh(); }, 60); }
  const events = new EventSource('/playground/events');
  events.addEventListener('change', soon);
  refresh();
}());
