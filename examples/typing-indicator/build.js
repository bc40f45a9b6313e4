// Bundle the browser half: node build.js (part of `npm run build`).
const { buildClientHalf } = require('allspark/build');

buildClientHalf({ entry: 'src/browser.ts', outfile: 'browser/typing-indicator.js', root: __dirname }).then(
  (code) => console.log(`browser/typing-indicator.js  ${code.length} bytes`),
  (err) => {
    console.error(err.message);
    process.exitCode = 1;
  },
);
