// /signals "New alert": the form follows the chosen condition (the server validates the same rules without it):
// only the windows the condition takes can be picked, the liquidation side shows for liquidations_above only,
// and the value's hint says its unit (a funding rate is a fraction: 0.0005 = 0.05 %).
export function init(section) {
    const type = section.querySelector("select[name='Form.ConditionType']");
    const windowSelect = section.querySelector("select[name='Form.Window']");
    const side = section.querySelector('[data-side-field]');
    const hint = section.querySelector('[data-value-hint]');
    if (!type || !windowSelect) return;
    const apply = () => {
        const option = type.selectedOptions[0];
        if (!option) return;
        const allowed = (option.dataset.windows || '').split(' ').filter(Boolean);
        for (const o of windowSelect.options) {
            o.disabled = o.value !== '' && !allowed.includes(o.value);
        }
        windowSelect.disabled = allowed.length === 0;
        if (allowed.length > 0 && windowSelect.value !== '' && !allowed.includes(windowSelect.value)) {
            windowSelect.value = allowed.includes('1h') ? '1h' : allowed[0];
        }
        if (side) side.style.display = option.dataset.side === 'true' ? '' : 'none';
        if (hint) hint.textContent = option.dataset.hint || '';
    };
    type.addEventListener('change', apply);
    apply();
}
