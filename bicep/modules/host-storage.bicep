// The Functions host's own account (AzureWebJobsStorage: locks, keys, diagnostic events) holding the Flex deployment
// container too, apart from the data account, so that the Owner role the deployment storage needs never reaches dumps.

@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('The container the Function App\'s deployment package is uploaded to.')
param deploymentContainerName string

@description('Object id of the Function App\'s identity.')
param functionPrincipalId string

@description('Resource id of the Function App\'s identity (stable role-assignment names).')
param functionIdentityId string

var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource deployment 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobs
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Function: Storage Blob Data Owner on this account — the host's containers (locks, keys) and the Flex deployment
// container, read with the app's identity; Flex requires Owner there.
resource functionOwnsHostBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, functionIdentityId, roles.blobDataOwner)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataOwner)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Function: Storage Table Data Contributor on this account — the host writes its diagnostic events to a table here.
resource functionWritesHostTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, functionIdentityId, roles.tableDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Account name.')
output name string = account.name

@description('Blob service endpoint (AzureWebJobsStorage__blobServiceUri).')
output blobServiceUri string = account.properties.primaryEndpoints.blob

@description('Table service endpoint (AzureWebJobsStorage__tableServiceUri).')
output tableServiceUri string = account.properties.primaryEndpoints.table

@description('URL of the deployment container (functionAppConfig.deployment.storage.value).')
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainerName}'
