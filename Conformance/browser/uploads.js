// Browser side of Conformance/test_browser.py. The page runs on one origin (a small Python
// http.server) and talks to s3emu on another, so every request below is a cross-origin request
// that the browser itself checks against s3emu's CORS answers.
//
// Every function resolves to a plain object the test can read:
//   {status, text, etag, location}  when fetch() resolved (the browser let the page see the response)
//   {error, message}                 when fetch() rejected (for CORS failures: a TypeError)
"use strict";

function bytesOf(base64) {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function describe(request) {
  try {
    const response = await request;
    const text = await response.text();
    return {
      status: response.status,
      text: text,
      etag: response.headers.get("ETag"),
      location: response.headers.get("Location"),
    };
  } catch (error) {
    return {error: error.name, message: String(error.message)};
  }
}

window.s3emu = {
  // A presigned POST form submitted with fetch(FormData): the fields in order, then the file.
  postForm(url, fields, filename, contentType, base64) {
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    form.append("file", new Blob([bytesOf(base64)], {type: contentType}), filename);
    return describe(fetch(url, {method: "POST", body: form}));
  },

  // Any request: method, headers (an object), and a body given as base64 (or null).
  send(url, method, headers, base64) {
    const init = {method: method, headers: headers || {}};
    if (base64 !== null && base64 !== undefined) init.body = bytesOf(base64);
    return describe(fetch(url, init));
  },
};
