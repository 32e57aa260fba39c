// Key Vault (RBAC authorization) for the chat webhook URLs, which are secrets: whoever has one can post to the
// channel. The Function reads them through Key Vault references resolved with its identity.

@description('Vault name (3-24 letters, digits and hyphens, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the secret that holds the first alert webhook URL.')
param webhookSecretName string

@description('The webhook URL to store; empty stores none (set it later with az keyvault secret set).')
@secure()
param webhookUrl string

@description('Object id of the Function App\'s identity.')
param functionPrincipalId string

@description('Resource id of the Function App\'s identity (stable role-assignment names).')
param functionIdentityId string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(webhookUrl)) {
  parent: vault
  name: webhookSecretName
  properties: {
    value: webhookUrl
    contentType: 'text/uri-list'
  }
}

// Function: Key Vault Secrets User on the vault — resolves the webhook URL references in its settings. The vault
// holds nothing else, and a vault-scope grant also covers secrets an operator adds later (more webhooks).
resource functionReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, functionIdentityId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Vault name.')
output name string = vault.name

@description('Vault URI, for Key Vault references (@Microsoft.KeyVault(SecretUri=...)).')
output uri string = vault.properties.vaultUri
