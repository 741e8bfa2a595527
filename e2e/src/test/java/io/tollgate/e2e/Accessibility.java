package io.tollgate.e2e;

/**
 * An accessibility check run inside the page (axe-core is not to be had here, so this is our own,
 * after axe's rules of the same names): the page's language and title, one {@code main} landmark
 * and one {@code h1}, headings in order, a label for every field, a name for every button, link and
 * image, unique ids, no positive {@code tabindex}, and WCAG AA contrast (4.5:1, 3:1 for large text)
 * of every piece of visible text against the background it is drawn on. It answers the violations,
 * each with axe's impact words ({@code critical}, {@code serious}, {@code moderate}).
 */
final class Accessibility {

    private Accessibility() {
    }

    static final String SCRIPT = """
            (() => {
              const out = [];
              const add = (impact, rule, el, detail) => out.push({impact, rule, detail: String(detail || ''),
                  target: el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute && el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '') : 'document'});
              const name = el => ((el.getAttribute('aria-label') || '') + ' ' + (el.innerText || '') + ' ' + (el.value && el.tagName === 'INPUT' ? el.value : '')
                  + ' ' + Array.from(el.querySelectorAll('img[alt]')).map(i => i.alt).join(' ')).trim();
              if (!document.documentElement.lang) add('serious', 'html-has-lang', document.documentElement, 'no lang');
              if (!document.title.trim()) add('serious', 'document-title', null, 'no title');
              const mains = document.querySelectorAll('main, [role=main]');
              if (mains.length !== 1) add('moderate', 'landmark-one-main', null, mains.length + ' main landmarks');
              const h1 = document.querySelectorAll('h1');
              if (h1.length !== 1) add('moderate', 'page-has-heading-one', null, h1.length + ' h1');
              let last = 0;
              document.querySelectorAll('h1, h2, h3, h4, h5, h6').forEach(h => {
                const level = Number(h.tagName[1]);
                if (last && level > last + 1) add('moderate', 'heading-order', h, 'h' + last + ' then h' + level);
                last = level;
              });
              document.querySelectorAll('input, select, textarea').forEach(f => {
                if (['hidden', 'submit', 'button', 'reset', 'image'].includes(f.type)) return;
                const byFor = f.id && Array.from(document.querySelectorAll('label')).some(l => l.htmlFor === f.id && l.innerText.trim());
                const wrapped = f.closest('label') && f.closest('label').innerText.trim();
                const aria = (f.getAttribute('aria-label') || '').trim() || f.getAttribute('aria-labelledby');
                if (!byFor && !wrapped && !aria) add('critical', 'label', f, 'a field without a label');
              });
              document.querySelectorAll('button, input[type=submit], input[type=button], [role=button]').forEach(b => {
                if (!name(b)) add('critical', 'button-name', b, 'a button without a name');
              });
              document.querySelectorAll('a[href]').forEach(a => { if (!name(a)) add('serious', 'link-name', a, 'a link without text'); });
              document.querySelectorAll('img').forEach(i => { if (!i.hasAttribute('alt')) add('critical', 'image-alt', i, 'no alt'); });
              const ids = {};
              document.querySelectorAll('[id]').forEach(e => { ids[e.id] = (ids[e.id] || 0) + 1; });
              Object.entries(ids).filter(([, n]) => n > 1).forEach(([id]) => add('critical', 'duplicate-id', document.getElementById(id), id));
              document.querySelectorAll('[tabindex]').forEach(e => { if (Number(e.getAttribute('tabindex')) > 0) add('serious', 'tabindex', e, e.getAttribute('tabindex')); });
              const rgb = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(',').map(s => parseFloat(s));
                return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
              const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
              const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
                if (c && c.a > 0) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
              document.querySelectorAll('body *').forEach(el => {
                const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
                if (!own) return;
                const s = getComputedStyle(el);
                const r = el.getBoundingClientRect();
                if (s.visibility === 'hidden' || s.display === 'none' || r.width === 0 || r.right < 0 || r.bottom < 0) return;
                const fg = rgb(s.color), bg = background(el);
                if (!fg) return;
                const blend = {r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a)};
                const l1 = lum(blend), l2 = lum(bg);
                const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
                const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
                const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
                if (ratio < need) add('serious', 'color-contrast', el, ratio.toFixed(2) + ':1 < ' + need + ':1 for "' + el.innerText.trim().slice(0, 40) + '"');
              });
              return out;
            })()
            """;
}
