// Every product the emulator serves, told apart by the x-acs-version header.
import { ack } from './ack';
import { nlb } from './nlb';
import { privateLink } from './privatelink';
import type { Product } from './product';
import { serviceMesh } from './servicemesh';
import { slb } from './slb';
import { sts } from './sts';
import { vpc } from './vpc';

export const PRODUCTS: readonly Product[] = [privateLink, vpc, serviceMesh, slb, nlb, ack, sts];
