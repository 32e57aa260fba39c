// The data account: dumps (blob container with a lifecycle rule), the ingest queue and its poison queue, and the
// crash tables. Shared keys off, so every caller is an Entra principal with a role below, granted at the narrowest
// scope that holds what it touches (a container, a queue, a table), never the account.

@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Redundancy of the account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param skuName string

@description('The container dumps are uploaded to (relay Upload:Container, Function Ingest:Azure:DumpContainer).')
param dumpContainerName string

@description('Days a dump blob is kept after it was last written; then the lifecycle rule deletes it.')
@minValue(1)
param dumpRetentionDays int

@description('The ingest queue (relay Upload:Queue, the Function\'s queue trigger).')
param ingestQueueName string

@description('The tables of crash groups, occurrences and the alert outbox (Ingest:Azure:GroupsTable, OccurrencesTable, AlertsTable).')
param tableNames array

@description('Object id of the Function App\'s identity.')
param functionPrincipalId string

@description('Resource id of the Function App\'s identity (stable role-assignment names).')
param functionIdentityId string

@description('Object id of the edge relay\'s principal; empty grants the relay nothing (grant it later).')
param relayPrincipalId string

@description('Kind of the relay\'s principal: an Arc-enabled server\'s managed identity and a service principal with a certificate are both ServicePrincipal.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param relayPrincipalType string

// The trigger's own poison queue name (<queue>-poison); created here, since the Function's role is on the queue, not the account.
var poisonQueueName = '${ingestQueueName}-poison'

var roles = {
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  blobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  queueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
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

resource dumps 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobs
  name: dumpContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-old-dumps'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${dumpContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: dumpRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource ingestQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = {
  parent: queueService
  name: ingestQueueName
}

resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = {
  parent: queueService
  name: poisonQueueName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

// Function: Storage Blob Data Reader on the dumps container — BlobDumpReader only reads dumps.
resource functionReadsDumps 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dumps.id, functionIdentityId, roles.blobDataReader)
  scope: dumps
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataReader)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Function: Storage Queue Data Contributor on the ingest queue — the trigger reads, updates (visibility) and deletes
// messages and moves poison ones; Reader + Message Processor is not enough for that.
resource functionProcessesIngest 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(ingestQueue.id, functionIdentityId, roles.queueDataContributor)
  scope: ingestQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Function: Storage Queue Data Contributor on the poison queue — the trigger adds poison messages, and
// RecordPoisonDump reads and deletes them.
resource functionProcessesPoison 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(poisonQueue.id, functionIdentityId, roles.queueDataContributor)
  scope: poisonQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Function: Storage Table Data Contributor on each crash table — TableCrashStore inserts and updates rows, and
// TableAlertOutbox records, sends from and purges the alert outbox.
resource functionWritesTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (tableName, i) in tableNames: {
    name: guid(tables[i].id, functionIdentityId, roles.tableDataContributor)
    scope: tables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
      principalId: functionPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Relay: Storage Blob Data Contributor on the dumps container — stages and commits blocks, reads a blob's properties.
resource relayWritesDumps 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(relayPrincipalId)) {
  name: guid(dumps.id, relayPrincipalId, roles.blobDataContributor)
  scope: dumps
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor)
    principalId: relayPrincipalId
    principalType: relayPrincipalType
  }
}

// Relay: Storage Queue Data Message Sender on the ingest queue — one message per committed dump, nothing else.
resource relaySendsIngest 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(relayPrincipalId)) {
  name: guid(ingestQueue.id, relayPrincipalId, roles.queueDataMessageSender)
  scope: ingestQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataMessageSender)
    principalId: relayPrincipalId
    principalType: relayPrincipalType
  }
}

@description('Account name.')
output name string = account.name

@description('Blob service endpoint (KDumpStorage__blobServiceUri).')
output blobServiceUri string = account.properties.primaryEndpoints.blob

@description('Queue service endpoint (KDumpStorage__queueServiceUri).')
output queueServiceUri string = account.properties.primaryEndpoints.queue

@description('Table service endpoint (KDumpStorage__tableServiceUri).')
output tableServiceUri string = account.properties.primaryEndpoints.table
