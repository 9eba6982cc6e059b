// One shared helper: with a REST API Lambda proxy integration, API Gateway adds no CORS
// headers to function responses, so every response the browser must read carries them here.
exports.json = (statusCode, body) => ({
  statusCode,
  headers: {
    "Content-Type": "application/json",
    "Access-Control-Allow-Origin": process.env.ALLOWED_ORIGIN,
  },
  body: JSON.stringify(body),
});
