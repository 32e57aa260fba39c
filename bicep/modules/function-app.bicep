// The ingest Function App: Flex Consumption (FC1), .NET 10 isolated, running as the user-assigned identity for
// everything (host storage, deployment package, data, Service Bus, Key Vault references, Application Insights).
// Its settings are exactly those the code reads (tests/KDumpCloud.Infra.Tests compares them with the code).

@description('Function App name (globally unique host name).')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource; the app also gets azd-service-name for the Azure Developer CLI.')
param tags object

@description('Name azure.yaml gives the Function\'s service.')
param azdServiceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of one instance, MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('URL of the deployment container in the host account.')
param deploymentContainerUrl string

@description('Host account blob endpoint.')
param hostBlobServiceUri string

@description('Host account table endpoint.')
param hostTableServiceUri string

@description('Data account endpoints (KDumpStorage).')
param dataBlobServiceUri string

@description('Data account queue endpoint.')
param dataQueueServiceUri string

@description('Data account table endpoint.')
param dataTableServiceUri string

@description('The dumps container (Ingest:Azure:DumpContainer).')
param dumpContainerName string

@description('The crash groups table (Ingest:Azure:GroupsTable).')
param groupsTableName string

@description('The occurrences table (Ingest:Azure:OccurrencesTable).')
param occurrencesTableName string

@description('The alert outbox table (Ingest:Azure:AlertsTable).')
param alertsTableName string

@description('The crash-reports topic (Ingest:Azure:ReportTopic).')
param reportTopicName string

@description('Service Bus namespace host name.')
param serviceBusNamespace string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Kind of the first alert webhook (Alerts:Webhooks:0:Kind); empty configures no webhook.')
param alertWebhookKind string

@description('Key Vault name holding the webhook URL.')
param keyVaultName string

@description('Secret holding the first webhook URL (Alerts:Webhooks:0:Url, a Key Vault reference).')
param webhookSecretName string

@description('The dashboard\'s address (Dashboard:PublicUrl): alerts link to its group pages; empty links nowhere.')
param dashboardPublicUrl string

// The Functions host's own storage, with the identity: blob (locks, keys) and table (diagnostic events).
var hostSettings = [
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'AzureWebJobsStorage__blobServiceUri', value: hostBlobServiceUri }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: hostTableServiceUri }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
]

// What the code reads: KDumpStorageOptions (the trigger's connection KDumpStorage too), AzureIngestOptions,
// ServiceBusConnectionOptions. Names the code defaults to are set anyway, so the template states every name it created.
var appSettings = [
  { name: 'KDumpStorage__credential', value: 'managedidentity' }
  { name: 'KDumpStorage__clientId', value: identityClientId }
  { name: 'KDumpStorage__blobServiceUri', value: dataBlobServiceUri }
  { name: 'KDumpStorage__queueServiceUri', value: dataQueueServiceUri }
  { name: 'KDumpStorage__tableServiceUri', value: dataTableServiceUri }
  { name: 'Ingest__Azure__AlertsTable', value: alertsTableName }
  { name: 'Ingest__Azure__DumpContainer', value: dumpContainerName }
  { name: 'Ingest__Azure__GroupsTable', value: groupsTableName }
  { name: 'Ingest__Azure__OccurrencesTable', value: occurrencesTableName }
  { name: 'Ingest__Azure__ReportTopic', value: reportTopicName }
  { name: 'ServiceBus__fullyQualifiedNamespace', value: serviceBusNamespace }
  { name: 'ServiceBus__clientId', value: identityClientId }
]

// Alerts: the webhook URL is a secret, so the setting is a Key Vault reference resolved with the identity. Only alerts
// read the dashboard's address, so it is set only with them.
var alertSettings = empty(alertWebhookKind)
  ? []
  : concat(
      [
        { name: 'Alerts__Webhooks__0__Kind', value: alertWebhookKind }
        {
          name: 'Alerts__Webhooks__0__Url'
          value: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${webhookSecretName})'
        }
      ],
      empty(dashboardPublicUrl) ? [] : [{ name: 'Dashboard__PublicUrl', value: dashboardPublicUrl }]
    )

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: '${name}-plan'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat(hostSettings, appSettings, alertSettings)
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// No publishing with user names and passwords: deployments authenticate with Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

@description('Function App name.')
output name string = site.name

@description('Default host name.')
output defaultHostName string = site.properties.defaultHostName
