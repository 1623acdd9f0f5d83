import { registerAccountPage } from "./components/account-page/account-page.js";
import { registerActivatePage } from "./components/activate-page/activate-page.js";
import { registerAppRoot } from "./components/app-root/app-root.js";
import { registerMailboxPage } from "./components/mailbox-page/mailbox-page.js";
import { registerNotFoundPage } from "./components/not-found-page/not-found-page.js";
import { registerRolesPage } from "./components/roles-page/roles-page.js";
import { registerSecuritySettings } from "./components/security-settings/security-settings.js";
import { registerSignInPage } from "./components/sign-in-page/sign-in-page.js";
import { registerStaffPage } from "./components/staff-page/staff-page.js";

registerSignInPage();
registerAccountPage();
registerStaffPage();
registerSecuritySettings();
registerRolesPage();
registerActivatePage();
registerMailboxPage();
registerNotFoundPage();
registerAppRoot();
