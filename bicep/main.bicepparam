// Parameters for azd and infra/deploy.sh, from the environment: azd sets AZURE_ENV_NAME and AZURE_LOCATION; the rest
// are KDumpCloud's own (infra/README.md; KDUMPCLOUD_DASHBOARD_SIGNIN_CLIENT_ID adds the dashboard). Example
// environments with fixed values: env/*.bicepparam.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'lab')
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
param relayPrincipalId = readEnvironmentVariable('KDUMPCLOUD_RELAY_PRINCIPAL_ID', '')
param alertWebhookKind = readEnvironmentVariable('KDUMPCLOUD_ALERT_WEBHOOK_KIND', '')
param alertWebhookUrl = readEnvironmentVariable('KDUMPCLOUD_ALERT_WEBHOOK_URL', '')
param dashboardSignInClientId = readEnvironmentVariable('KDUMPCLOUD_DASHBOARD_SIGNIN_CLIENT_ID', '')
