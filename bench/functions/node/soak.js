// The soak's function (bench/soak.sh): answers like hello.js, and with ?gc=1 first runs a full
// garbage collection (gatewise starts Node with --expose-gc, as Lambda does), so the memory
// measured after it is what the instance keeps, not garbage V8 has not collected yet.
exports.handler = async (event) => {
  if (event.queryStringParameters && event.queryStringParameters.gc && global.gc) global.gc();
  return { statusCode: 200, body: "hello" };
};
