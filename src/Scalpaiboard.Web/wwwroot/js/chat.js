// The assistant (side panel and /chat): POST /api/ai/chat on the Gateway and read its server-sent events with
// fetch() as they stream: text tokens, tool calls as they run and their results, the usage and cost at the end.
import { api, gatewayUrl, accessToken, isAuthenticated } from './gateway.js';
import { renderMarkdown } from './markdown.js';
import { escapeHtml } from './format.js';

const CONVERSATION_KEY = 'sb.chat.conversation';
const PROVIDER_KEY = 'sb.chat.provider';

export function init(root) {
    const log = root.querySelector('.assistant-log');
    const form = root.querySelector('.assistant-form');
    const input = form.querySelector('textarea');
    const button = form.querySelector('button');
    const providerSelect = root.querySelector('.assistant-provider');
    const conversationSelect = root.querySelector('.assistant-conversation');
    const cost = root.querySelector('.assistant-cost');
    if (root.dataset.authenticated !== 'true' || !isAuthenticated()) return;

    let conversationId = sessionStorage.getItem(CONVERSATION_KEY) || '';
    let busy = false;

    function add(kind, html) {
        const div = document.createElement('div');
        div.className = 'msg ' + kind;
        div.innerHTML = html;
        log.appendChild(div);
        log.scrollTop = log.scrollHeight;
        return div;
    }

    async function loadPickers() {
        try {
            const providers = await api('/api/ai/providers', { auth: true });
            providerSelect.innerHTML = '<option value="">default</option><option value="local">local (offline)</option>'
                + (providers || []).map(p => `<option value="${escapeHtml(p.id)}">${escapeHtml(p.name)} · ${escapeHtml(p.model || p.preset)}</option>`).join('');
            providerSelect.value = localStorage.getItem(PROVIDER_KEY) || '';
        } catch (e) {
            add('system', `Providers unavailable: ${escapeHtml(e.message)}`);
        }
        await loadConversations();
    }

    async function loadConversations() {
        try {
            const list = await api('/api/ai/conversations', { auth: true });
            conversationSelect.innerHTML = '<option value="">new conversation</option>'
                + (list || []).map(c => `<option value="${escapeHtml(c.id)}">${escapeHtml(c.title || 'untitled')}</option>`).join('');
            if (conversationId && ![...conversationSelect.options].some(o => o.value === conversationId)) {
                conversationSelect.add(new Option('current conversation', conversationId));
            }
            conversationSelect.value = conversationId;
        } catch { /* the providers message already says why */ }
    }

    async function openConversation(id) {
        conversationId = id;
        sessionStorage.setItem(CONVERSATION_KEY, id);
        log.innerHTML = '';
        if (!id) { add('system', 'New conversation.'); return; }
        try {
            const c = await api(`/api/ai/conversations/${encodeURIComponent(id)}`, { auth: true });
            for (const m of c.messages || []) {
                if (m.role === 'user') add('user', escapeHtml(m.content || ''));
                else if (m.role === 'assistant' && m.content) add('assistant', renderMarkdown(m.content));
                else if (m.role === 'tool') add('tool done', `✓ ${escapeHtml(m.toolName || 'tool')}`).className = 'tool done';
            }
        } catch (e) {
            add('error', `Conversation unavailable: ${escapeHtml(e.message)}`);
        }
    }

    async function send(message) {
        busy = true;
        button.disabled = true;
        add('user', escapeHtml(message));
        let answer = null;
        let text = '';
        const tools = new Map();
        const body = { message };
        if (conversationId) body.conversationId = conversationId;
        if (providerSelect.value) body.provider = providerSelect.value;
        try {
            const token = await accessToken();
            if (!token) throw new Error('your session has expired; log in again');
            let response;
            try {
                response = await fetch(gatewayUrl + '/api/ai/chat', {
                    method: 'POST',
                    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', Authorization: 'Bearer ' + token },
                    body: JSON.stringify(body),
                });
            } catch {
                throw new Error('gateway not reachable');
            }
            if (!response.ok || !response.body) {
                let detail = '';
                try { const p = await response.json(); detail = p.detail || Object.values(p.errors || {}).flat().join(' ') || p.title; } catch { /* not JSON */ }
                throw new Error(detail || `the gateway answered ${response.status}`);
            }
            const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
            let buffer = '';
            for (;;) {
                const { value, done } = await reader.read();
                if (done) break;
                buffer += value;
                let cut;
                while ((cut = buffer.indexOf('\n\n')) >= 0) {
                    const block = buffer.slice(0, cut);
                    buffer = buffer.slice(cut + 2);
                    const data = block.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trimStart()).join('\n');
                    if (!data) continue;
                    let ev;
                    try { ev = JSON.parse(data); } catch { continue; }
                    switch (ev.type) {
                        case 'content':
                            text += ev.content || '';
                            if (!answer) answer = add('assistant', '');
                            answer.innerHTML = renderMarkdown(text);
                            log.scrollTop = log.scrollHeight;
                            break;
                        case 'tool_call': {
                            const el = add('tool', '');
                            el.className = 'tool running';
                            el.innerHTML = `⚙ <strong>${escapeHtml(ev.name)}</strong> <span class="muted">${escapeHtml(JSON.stringify(ev.arguments || {}))}</span> running…`;
                            tools.set(ev.callId || ev.name, el);
                            answer = null; text = '';
                            break;
                        }
                        case 'tool_result': {
                            const el = tools.get(ev.callId || ev.name) || add('tool', '');
                            el.className = 'tool done';
                            const result = JSON.stringify(ev.result, null, 1) || '';
                            el.innerHTML = `<details><summary>✓ <strong>${escapeHtml(ev.name)}</strong> done</summary><pre>${escapeHtml(result.slice(0, 4000))}</pre></details>`;
                            break;
                        }
                        case 'warning':
                            add('system', escapeHtml(ev.message || 'warning'));
                            break;
                        case 'done': {
                            if (ev.conversationId && ev.conversationId !== conversationId) {
                                conversationId = ev.conversationId;
                                sessionStorage.setItem(CONVERSATION_KEY, conversationId);
                                loadConversations();
                            }
                            const c = Number(ev.usage?.cost || 0);
                            cost.textContent = '$' + c.toFixed(4);
                            cost.title = `${ev.usage?.promptTokens ?? 0} prompt + ${ev.usage?.completionTokens ?? 0} completion tokens${ev.model ? ' · ' + ev.model : ''}`;
                            root.dataset.lastDone = String(Date.now());
                            break;
                        }
                        case 'error':
                            add('error', escapeHtml(ev.message || 'the assistant failed'));
                            break;
                    }
                }
            }
        } catch (e) {
            add('error', `Assistant unavailable: ${escapeHtml(e.message)}`);
        } finally {
            busy = false;
            button.disabled = false;
        }
    }

    form.addEventListener('submit', e => {
        e.preventDefault();
        const message = input.value.trim();
        if (!message || busy) return;
        input.value = '';
        send(message);
    });
    input.addEventListener('keydown', e => {
        if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });
    providerSelect.addEventListener('change', () => localStorage.setItem(PROVIDER_KEY, providerSelect.value));
    conversationSelect.addEventListener('change', () => openConversation(conversationSelect.value));

    loadPickers().then(() => { if (conversationId) openConversation(conversationId); });
}
