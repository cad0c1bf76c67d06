// Passkeys (WebAuthn): the browser's side of adding one (two-factor page) and using one (second sign-in step).
// A static module, no inline script (the Content-Security-Policy forbids it), nothing from another site.
// A form marked data-passkey="register" or "sign-in" asks its data-passkey-options URL for the options (the
// server keeps the challenge), runs navigator.credentials, puts the answer as JSON in the form's hidden
// "credential" field and submits the form as usual; the server checks it and answers with a page.

const toBytes = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
};

const toText = (buffer) => {
  let binary = "";
  new Uint8Array(buffer).forEach((b) => { binary += String.fromCharCode(b); });
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const describe = (credential) => {
  const response = credential.response;
  const answer = {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: toText(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    answer.response.attestationObject = toText(response.attestationObject);
    answer.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    answer.response.authenticatorData = toText(response.authenticatorData);
    answer.response.signature = toText(response.signature);
    if (response.userHandle) {
      answer.response.userHandle = toText(response.userHandle);
    }
  }
  return JSON.stringify(answer);
};

const creationOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  user: { ...options.user, id: toBytes(options.user.id) },
  excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
});

const requestOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
});

const field = (form, name) => form.querySelector(`input[name$="${name}"]`);

const fetchOptions = async (form) => {
  const response = await fetch(form.dataset.passkeyOptions, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": field(form, "csrf_token").value, Accept: "application/json" },
  });
  if (!response.ok) {
    throw new Error("AP Hub could not start the passkey request: reload the page and try again.");
  }
  return response.json();
};

const showError = (form, message) => {
  const error = form.querySelector("[data-passkey-error]");
  error.textContent = message;
  error.className = "govuk-error-message";  // not before: its display would show the empty, hidden paragraph
  error.hidden = false;
};

const run = async (form) => {
  const options = await fetchOptions(form);
  const credential = form.dataset.passkey === "register"
    ? await navigator.credentials.create({ publicKey: creationOptions(options) })
    : await navigator.credentials.get({ publicKey: requestOptions(options) });
  field(form, "credential").value = describe(credential);
  form.submit();
};

for (const form of document.querySelectorAll("form[data-passkey]")) {
  form.addEventListener("submit", (event) => {
    const name = field(form, "name");
    // No passkey support, or no name typed yet: the server's page says what is wrong.
    if (!window.PublicKeyCredential || (name && !name.value.trim())) {
      return;
    }
    event.preventDefault();
    run(form).catch((problem) => {
      const cancelled = problem && problem.name === "NotAllowedError";
      showError(form, cancelled ? "No passkey was given (the request was cancelled or timed out). Try again."
        : problem.message || "The passkey did not work. Try again.");
    });
  });
  form.dataset.passkeyReady = "true";  // for the browser tests: the button now runs the ceremony
}
