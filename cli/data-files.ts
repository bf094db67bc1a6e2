/**
 * The files and folders of a data directory. Their own module so that what only needs a name
 * (the admin accounts' file) does not import the local back end, its SQLite records and its face
 * engine: the AWS admin site's bundle (scripts/build-admin-site.mjs) leaves all of that out.
 */
export const DATA_FILES = {
  records: 'facegate.db',
  faces: 'faces.db',
  images: 'images',
  ca: 'ca',
  admin: 'admin.db',
  doors: 'doors',
} as const;
