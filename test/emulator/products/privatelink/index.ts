// PrivateLink 2020-04-15 (RPC). All its errors are HTTP 400.
import type { RpcProduct } from '../product';
import { accountActions } from './account';
import { connectionActions } from './connections';
import { endpointActions } from './endpoints';
import { serviceActions } from './services';
import { tagActions } from './tags';

export const privateLink: RpcProduct = {
  style: 'RPC',
  name: 'privatelink',
  code: 'Privatelink',
  version: '2020-04-15',
  hostId: (regionId) => `privatelink.${regionId}.aliyuncs.com`,
  clientTokens: true,
  actions: { ...serviceActions, ...endpointActions, ...connectionActions, ...accountActions, ...tagActions },
};
