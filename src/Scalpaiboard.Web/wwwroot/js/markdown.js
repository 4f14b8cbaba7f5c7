// A tiny, safe markdown subset for assistant answers: HTML is escaped first, then code blocks, inline code,
// bold/italic, http(s) links, headings, lists and pipe tables are turned into markup.
import { escapeHtml } from './format.js';

function inline(s) {
    const codes = [];
    s = s.replace(/`([^`]+)`/g, (_, c) => { codes.push(c); return `\u0000${codes.length - 1}\u0000`; });
    s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
        .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
        .replace(/\[([^\]]+)\]\(((?:https?:\/\/|\/)[^\s)]+)\)/g, (_, text, url) => `<a href="${url}" target="_blank" rel="noopener noreferrer">${text}</a>`);
    return s.replace(/\u0000(\d+)\u0000/g, (_, i) => `<code>${codes[+i]}</code>`);
}

export function renderMarkdown(text) {
    const lines = escapeHtml(text || '').split('\n');
    const out = [];
    let i = 0;
    while (i < lines.length) {
        const line = lines[i];
        if (line.startsWith('```')) {
            const body = [];
            i++;
            while (i < lines.length && !lines[i].startsWith('```')) body.push(lines[i++]);
            i++;
            out.push(`<pre><code>${body.join('\n')}</code></pre>`);
            continue;
        }
        if (/^\s*\|.*\|\s*$/.test(line)) {
            const rows = [];
            while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i])) rows.push(lines[i++]);
            const cells = r => r.trim().replace(/^\||\|$/g, '').split('|').map(c => inline(c.trim()));
            const body = rows.filter(r => !/^\s*\|[\s:|-]+\|\s*$/.test(r));
            const [head, ...rest] = body;
            out.push('<table><thead><tr>' + cells(head).map(c => `<th>${c}</th>`).join('') + '</tr></thead><tbody>'
                + rest.map(r => '<tr>' + cells(r).map(c => `<td>${c}</td>`).join('') + '</tr>').join('') + '</tbody></table>');
            continue;
        }
        const h = /^(#{1,4})\s+(.*)$/.exec(line);
        if (h) { out.push(`<p><strong>${inline(h[2])}</strong></p>`); i++; continue; }
        if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
            const ordered = /^\s*\d+\./.test(line);
            const items = [];
            while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i])) items.push(lines[i++].replace(/^\s*([-*]|\d+\.)\s+/, ''));
            const tag = ordered ? 'ol' : 'ul';
            out.push(`<${tag}>` + items.map(it => `<li>${inline(it)}</li>`).join('') + `</${tag}>`);
            continue;
        }
        if (line.trim() === '') { i++; continue; }
        const para = [];
        while (i < lines.length && lines[i].trim() !== '' && !/^(```|#{1,4}\s|\s*([-*]|\d+\.)\s|\s*\|)/.test(lines[i])) para.push(lines[i++]);
        if (para.length === 0) { para.push(lines[i++]); }
        out.push(`<p>${inline(para.join('<br>'))}</p>`);
    }
    return out.join('');
}
