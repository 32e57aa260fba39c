// The user-assigned identity the Function App runs as: created before the app, so its roles can be granted (and its
// client id put in the app's settings) before the app first starts.

@description('Name of the identity.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id: the app\'s identity, Key Vault reference identity and deployment-storage identity.')
output id string = identity.id

@description('Object id, the principal of the role assignments.')
output principalId string = identity.properties.principalId

@description('Client id, which the app\'s settings name (KDumpStorage__clientId and the like).')
output clientId string = identity.properties.clientId
