/** The header reader now lives in the domain: every image path checks the pixel limit with it. */
export { imageDimensions, type ImageDimensions } from '../../domain/image-dimensions.js';
