// The crash dashboard (src/KDumpCloud.Dashboard.Web, kdumpcloud-dashboard): a Linux App Service app behind Entra ID
// sign-in (App Service authentication: nobody outside the tenant reaches the app, which trusts the platform for who
// may see it), running as a user-assigned identity of its own that may read dumps and read and update the crash
// tables, nothing else. Its settings are exactly those the app reads (tests/KDumpCloud.Infra.Tests runs its start-up
// code to compare).

@description('Web app name (globally unique host name).')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource; the app also gets azd-service-name for the Azure Developer CLI.')
param tags object

@description('Name azure.yaml gives the dashboard\'s service.')
param azdServiceName string = 'dashboard'

@description('App Service plan SKU: B1 is enough for a lab; the app keeps nothing on the instance.')
param skuName string = 'B1'

@description('The data account (KDumpStorage) that holds the dumps container and the crash tables.')
param dataAccountName string

@description('The dumps container (Ingest:Azure:DumpContainer).')
param dumpContainerName string

@description('The crash groups table (Ingest:Azure:GroupsTable).')
param groupsTableName string

@description('The occurrences table (Ingest:Azure:OccurrencesTable).')
param occurrencesTableName string

@description('Client id of the Entra app registration people sign in with (created outside ARM; redirect URI https://<app>.azurewebsites.net/.auth/login/aad/callback, ID tokens on).')
param signInClientId string

@description('Entra tenant whose members may sign in.')
param tenantId string = tenant().tenantId

var roles = {
  blobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${name}-id'
  location: location
  tags: tags
}

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: dataAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource dumps 'containers' existing = {
      name: dumpContainerName
    }
  }

  resource tableService 'tableServices' existing = {
    name: 'default'

    resource groups 'tables' existing = {
      name: groupsTableName
    }

    resource occurrences 'tables' existing = {
      name: occurrencesTableName
    }
  }
}

var dataSettings = [
  { name: 'KDumpStorage__credential', value: 'managedidentity' }
  { name: 'KDumpStorage__clientId', value: identity.properties.clientId }
  { name: 'KDumpStorage__blobServiceUri', value: account.properties.primaryEndpoints.blob }
  { name: 'KDumpStorage__tableServiceUri', value: account.properties.primaryEndpoints.table }
  { name: 'Ingest__Azure__DumpContainer', value: dumpContainerName }
  { name: 'Ingest__Azure__GroupsTable', value: groupsTableName }
  { name: 'Ingest__Azure__OccurrencesTable', value: occurrencesTableName }
]

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: '${name}-plan'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: skuName
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'DOTNETCORE|10.0'
      appCommandLine: 'dotnet kdumpcloud-dashboard.dll'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      alwaysOn: true
      appSettings: dataSettings
    }
  }

  // No publishing with basic credentials: deploy with an Entra identity (azd, az webapp deploy).
  resource ftp 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }

  // Entra ID sign-in in front of every request: anonymous visitors are sent to the tenant's login page.
  resource auth 'config' = {
    name: 'authsettingsV2'
    properties: {
      platform: {
        enabled: true
      }
      globalValidation: {
        requireAuthentication: true
        unauthenticatedClientAction: 'RedirectToLoginPage'
        redirectToProvider: 'azureactivedirectory'
      }
      identityProviders: {
        azureActiveDirectory: {
          enabled: true
          registration: {
            openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
            clientId: signInClientId
          }
          validation: {
            allowedAudiences: [
              'api://${signInClientId}'
              signInClientId
            ]
          }
        }
      }
      login: {
        tokenStore: {
          enabled: true
        }
      }
      httpSettings: {
        requireHttps: true
      }
    }
  }
}

// Dashboard: Storage Blob Data Reader on the dumps container — the download link streams a dump through the app.
resource readsDumps 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account::blobService::dumps.id, identity.id, roles.blobDataReader)
  scope: account::blobService::dumps
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataReader)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Dashboard: Storage Table Data Contributor on each crash table — it reads groups and occurrences, resolve, ignore,
// reopen and merge update group rows (no narrower built-in role may update), and the store it acts through creates
// both tables when they are missing before its first change (a table write, which Table Data Reader is refused).
resource updatesGroups 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account::tableService::groups.id, identity.id, roles.tableDataContributor)
  scope: account::tableService::groups
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource readsOccurrences 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account::tableService::occurrences.id, identity.id, roles.tableDataContributor)
  scope: account::tableService::occurrences
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

@description('The dashboard app name.')
output name string = site.name

@description('Its address (the Function\'s Dashboard:PublicUrl, for alert links).')
output url string = 'https://${site.properties.defaultHostName}'

@description('Principal id of its identity.')
output principalId string = identity.properties.principalId
