// A lab's long-lived environment: dumps kept 90 days on zone-redundant storage, the relay granted its roles, and a
// Slack webhook from the environment (never written in this file); the dashboard when the environment names its
// sign-in app (KDUMPCLOUD_DASHBOARD_SIGNIN_CLIENT_ID).
using '../main.bicep'

param environmentName = 'lab'
param location = 'westeurope'
param baseName = 'kdumpcloud'
param dataStorageSku = 'Standard_ZRS'
param dumpRetentionDays = 90
param logRetentionDays = 30
param functionMaximumInstanceCount = 40
param functionInstanceMemoryMB = 2048
param relayPrincipalId = readEnvironmentVariable('KDUMPCLOUD_RELAY_PRINCIPAL_ID', '')
param relayPrincipalType = 'ServicePrincipal'
param alertWebhookKind = 'slack'
param alertWebhookUrl = readEnvironmentVariable('KDUMPCLOUD_ALERT_WEBHOOK_URL', '')
param duplicateDetectionWindow = 'P1D'
param dashboardSignInClientId = readEnvironmentVariable('KDUMPCLOUD_DASHBOARD_SIGNIN_CLIENT_ID', '')
param dashboardSku = 'B1'
