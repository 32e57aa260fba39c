// KDumpCloud in Azure: everything the cloud half of the pipeline needs, with no storage key anywhere.
//
//   relay (lab) ──blobs──► data account: dumps container ──► ingest queue ──► Function App (Flex, .NET 10)
//                                                                    │ tables, Service Bus topic, webhooks
//   people (Entra sign-in) ──► dashboard (App Service) ──► crash tables, dumps          (when a sign-in app is given)
//
// One module per concern; each grants its own roles at the narrowest scope, named in a comment there. Deploy with
// infra/deploy.sh or azd (infra/azure.yaml); infra/README.md has the steps.
targetScope = 'resourceGroup'

@description('Prefix of every resource name; a suffix unique to the resource group is added where names are global.')
@minLength(2)
@maxLength(12)
param baseName string = 'kdumpcloud'

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Name of this environment, put in the tags (lab, dev, ...).')
param environmentName string

@description('Redundancy of the data account (dumps, queue, crash tables).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param dataStorageSku string = 'Standard_LRS'

@description('Days a dump is kept in Blob Storage; crash groups and occurrences in the tables stay.')
@minValue(1)
@maxValue(3650)
param dumpRetentionDays int = 30

@description('Days Log Analytics keeps the Function\'s logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Most instances the Function App scales out to.')
@minValue(1)
@maxValue(1000)
param functionMaximumInstanceCount int = 40

@description('Memory of one Function instance, MB: 2048 holds one large core being scanned comfortably.')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Object id of the edge relay\'s principal (an Arc-enabled server\'s managed identity, or a service principal with a certificate); empty grants no relay anything yet.')
param relayPrincipalId string = ''

@description('Principal type of the relay: ServicePrincipal for both an Arc identity and an app registration.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param relayPrincipalType string = 'ServicePrincipal'

@description('Kind of the first alert webhook (Alerts:Webhooks:0:Kind, e.g. slack, teams, discord); empty configures none.')
param alertWebhookKind string = ''

@description('URL of the first alert webhook, stored in Key Vault; empty leaves the secret as it is (set it later with az keyvault secret set).')
@secure()
param alertWebhookUrl string = ''

@description('Client id of the Entra app registration people sign in to the dashboard with (made outside ARM, infra/README.md); empty deploys no dashboard.')
param dashboardSignInClientId string = ''

@description('App Service plan SKU of the dashboard.')
@allowed([
  'B1'
  'B2'
  'S1'
  'P0v3'
])
param dashboardSku string = 'B1'

@description('Duplicate detection window of the crash-reports topic (ISO 8601, 20 s to 7 days): longer than any redelivery of one ingest message.')
param duplicateDetectionWindow string = 'P1D'

// Names the code fixes or defaults to: the Function's queue trigger ('dump-ingest', connection 'KDumpStorage'), the
// relay's Upload:Container/Queue and the ingest's Ingest:Azure defaults. tests/KDumpCloud.Infra.Tests keeps them equal.
var dumpContainerName = 'dumps'
var ingestQueueName = 'dump-ingest'
var groupsTableName = 'crashgroups'
var occurrencesTableName = 'occurrences'
var alertsTableName = 'alerts'
var reportTopicName = 'crash-reports'
var deploymentContainerName = 'app-package'
var webhookSecretName = 'alert-webhook-0'
var azdServiceName = 'ingest'
var dashboardAzdServiceName = 'dashboard'

var suffix = uniqueString(resourceGroup().id)
var compactBase = toLower(replace(baseName, '-', ''))
var tags = {
  application: 'kdumpcloud'
  environment: environmentName
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: '${baseName}-func-id'
    location: location
    tags: tags
  }
}

// The identity's resource id, known before deployment: role-assignment names are built from it.
var functionIdentityId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '${baseName}-func-id')

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: baseName
    location: location
    tags: tags
    retentionDays: logRetentionDays
    functionPrincipalId: identity.outputs.principalId
    functionIdentityId: functionIdentityId
  }
}

// Known before deployment: the dashboard's module scopes role assignments to resources in it.
var dataAccountName = take('${compactBase}data${suffix}', 24)

module dataStorage 'modules/data-storage.bicep' = {
  name: 'data-storage'
  params: {
    name: dataAccountName
    location: location
    tags: tags
    skuName: dataStorageSku
    dumpContainerName: dumpContainerName
    dumpRetentionDays: dumpRetentionDays
    ingestQueueName: ingestQueueName
    tableNames: [
      groupsTableName
      occurrencesTableName
      alertsTableName
    ]
    functionPrincipalId: identity.outputs.principalId
    functionIdentityId: functionIdentityId
    relayPrincipalId: relayPrincipalId
    relayPrincipalType: relayPrincipalType
  }
}

module hostStorage 'modules/host-storage.bicep' = {
  name: 'host-storage'
  params: {
    name: take('${compactBase}host${suffix}', 24)
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    functionPrincipalId: identity.outputs.principalId
    functionIdentityId: functionIdentityId
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: 'service-bus'
  params: {
    name: '${baseName}-${suffix}'
    location: location
    tags: tags
    topicName: reportTopicName
    duplicateDetectionWindow: duplicateDetectionWindow
    functionPrincipalId: identity.outputs.principalId
    functionIdentityId: functionIdentityId
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    name: take('${compactBase}kv${suffix}', 24)
    location: location
    tags: tags
    webhookSecretName: webhookSecretName
    webhookUrl: alertWebhookUrl
    functionPrincipalId: identity.outputs.principalId
    functionIdentityId: functionIdentityId
  }
}

// The dashboard's name and so its address are known before it exists: the Function's alerts link to its pages.
var deployDashboard = !empty(dashboardSignInClientId)
var dashboardName = '${baseName}-dash-${suffix}'
var dashboardUrl = deployDashboard ? 'https://${dashboardName}.azurewebsites.net' : ''

// One module per app, each with its own identity and roles.
module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: '${baseName}-ingest-${suffix}'
    location: location
    tags: tags
    azdServiceName: azdServiceName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    deploymentContainerUrl: hostStorage.outputs.deploymentContainerUrl
    hostBlobServiceUri: hostStorage.outputs.blobServiceUri
    hostTableServiceUri: hostStorage.outputs.tableServiceUri
    dataBlobServiceUri: dataStorage.outputs.blobServiceUri
    dataQueueServiceUri: dataStorage.outputs.queueServiceUri
    dataTableServiceUri: dataStorage.outputs.tableServiceUri
    dumpContainerName: dumpContainerName
    groupsTableName: groupsTableName
    occurrencesTableName: occurrencesTableName
    alertsTableName: alertsTableName
    reportTopicName: reportTopicName
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    appInsightsConnectionString: monitoring.outputs.connectionString
    alertWebhookKind: alertWebhookKind
    keyVaultName: keyVault.outputs.name
    webhookSecretName: webhookSecretName
    dashboardPublicUrl: dashboardUrl
  }
}

module dashboardApp 'modules/dashboard-app.bicep' = if (deployDashboard) {
  name: 'dashboard-app'
  // Its roles are assigned on the container and tables the data module creates.
  dependsOn: [
    dataStorage
  ]
  params: {
    name: dashboardName
    location: location
    tags: tags
    azdServiceName: dashboardAzdServiceName
    skuName: dashboardSku
    dataAccountName: dataAccountName
    dumpContainerName: dumpContainerName
    groupsTableName: groupsTableName
    occurrencesTableName: occurrencesTableName
    signInClientId: dashboardSignInClientId
  }
}

@description('The Function App (deploy.sh publishes to it).')
output functionAppName string = functionApp.outputs.name

@description('Client id of the Function App\'s identity.')
output functionIdentityClientId string = identity.outputs.clientId

@description('Data account name.')
output dataStorageAccountName string = dataStorage.outputs.name

@description('Relay setting KDumpStorage__blobServiceUri.')
output relayBlobServiceUri string = dataStorage.outputs.blobServiceUri

@description('Relay setting KDumpStorage__queueServiceUri.')
output relayQueueServiceUri string = dataStorage.outputs.queueServiceUri

@description('Table endpoint, for kdumpcloud crashes against Azure (KDumpStorage__tableServiceUri).')
output tableServiceUri string = dataStorage.outputs.tableServiceUri

@description('Relay setting Upload__Container.')
output dumpContainerName string = dumpContainerName

@description('Relay setting Upload__Queue.')
output ingestQueueName string = ingestQueueName

@description('Service Bus namespace host name.')
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace

@description('The crash-reports topic.')
output reportTopicName string = reportTopicName

@description('Key Vault holding the webhook URLs.')
output keyVaultName string = keyVault.outputs.name

@description('Secret holding the first webhook URL.')
output webhookSecretName string = webhookSecretName

@description('The dashboard app (deploy.sh publishes to it); empty without a dashboard.')
output dashboardAppName string = deployDashboard ? dashboardName : ''

@description('The dashboard\'s address, and its sign-in redirect URI with /.auth/login/aad/callback; empty without a dashboard.')
output dashboardUrl string = dashboardUrl
