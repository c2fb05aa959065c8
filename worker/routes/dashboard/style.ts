/**
 * The dashboard's one stylesheet, served from /dashboard/style.css so the CSP needs no inline style.
 * Colours keep WCAG AA contrast on white (body #1a1a1a, muted #4a4a4a, links #0b4f8a, 4.5:1 or more);
 * every control shows a visible focus ring.
 */
export const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#f4f5f7}
a{color:#0b4f8a}
a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:1}
header{background:#12355b;color:#fff;padding:12px 24px;display:flex;flex-wrap:wrap;gap:12px 24px;align-items:center;justify-content:space-between}
header h1{font-size:20px;margin:0}
header a,header button{color:#fff}
main{max-width:1360px;margin:0 auto;padding:16px 24px 48px}
section{background:#fff;border:1px solid #d5d9df;border-radius:8px;padding:16px 20px;margin:16px 0}
section h2{margin:0 0 4px;font-size:20px}
.muted,.source{color:#4a4a4a;font-size:14px}
form.pickers{display:flex;flex-wrap:wrap;gap:12px;align-items:end}
label{display:flex;flex-direction:column;font-size:14px;gap:4px}
select,input,button{font:inherit;padding:6px 10px;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#1a1a1a}
button{background:#12355b;color:#fff;border-color:#12355b;cursor:pointer}
header button{background:transparent;border-color:#fff}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.card{border:1px solid #d5d9df;border-radius:8px;padding:12px}
.card h3{font-size:16px;margin:0}
.card .value{font-size:28px;font-weight:600;margin:4px 0}
.card meter{width:100%;height:14px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
figure{margin:0}
figure svg{max-width:100%;height:auto;border:1px solid #e3e3e3}
table{border-collapse:collapse;font-size:14px;margin-top:8px}
th,td{border:1px solid #d5d9df;padding:2px 8px;text-align:left}
.finding{border-left:4px solid #6b7280;padding:4px 12px;margin:8px 0}
.finding.high{border-color:#b03a2e}.finding.medium{border-color:#b35c00}
.unavailable{color:#4a4a4a;font-style:italic}
.error{color:#8f2a1f;font-weight:600}
.signin{max-width:480px;margin:10vh auto;background:#fff;padding:24px;border-radius:8px;border:1px solid #d5d9df}
.signin form{display:flex;flex-direction:column;gap:12px}
`;
