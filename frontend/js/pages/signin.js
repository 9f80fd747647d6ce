// Sign-in: a person of the config with the password `sigap user add` gave.

import { post } from "../api.js";
import { clear, h } from "../dom.js";
import { others, t } from "../i18n.js";
import { errorText } from "../parts.js";

export async function render(main, _params, { done }) {
  const said = h("p", { class: "error", role: "alert", id: "signin-error" });
  const user = h("input", { id: "user", name: "user", autocomplete: "username", required: true });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button", { type: "submit", class: "primary", text: t("ui.signin.submit") });
  const form = h(
    "form",
    { class: "signin", "aria-describedby": "signin-error" },
    h("h1", { text: t("ui.brand") }),
    h("p", { class: "muted", text: t("ui.signin.intro") }),
    h("label", { for: "user", text: t("ui.signin.user") }),
    user,
    h("label", { for: "password", text: t("ui.signin.password") }),
    password,
    said,
    submit,
    h("p", { class: "muted small", text: t("ui.signin.no_password") }),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    said.textContent = "";
    try {
      await post("/api/auth/login", { user: user.value.trim(), password: password.value });
      password.value = "";
      await done();
    } catch (error) {
      said.textContent = errorText(error);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  const language = document.getElementById("language");
  const other = others()[0];
  // the header's language button, lent to the sign-in page
  const switcher = h("button", {
    type: "button",
    class: "link",
    lang: other,
    text: t(`ui.language.${other}`),
    onclick: () => language.click(),
  });
  clear(main, h("div", { class: "signin-wrap" }, form, switcher));
  user.focus();
}
