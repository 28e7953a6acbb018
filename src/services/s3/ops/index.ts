import type { S3Handler } from "../request.js";
import type { S3Operation } from "../router.js";
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from "./buckets.js";
import { deleteBucketCors, getBucketCors, putBucketCors } from "./bucket-cors.js";
import { deleteBucketTagging, getBucketTagging, putBucketTagging } from "./bucket-tagging.js";
import { getBucketVersioning, putBucketVersioning } from "./bucket-versioning.js";
import { copyObject } from "./copy-object.js";
import { deleteObject } from "./delete-object.js";
import { deleteObjects } from "./delete-objects.js";
import { getObject } from "./get-object.js";
import { getObjectAttributes } from "./get-object-attributes.js";
import { listObjectVersions } from "./list-object-versions.js";
import { listObjects } from "./list-objects.js";
import { listObjectsV2 } from "./list-objects-v2.js";
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from "./object-tagging.js";
import { postObject } from "./post-object.js";
import { putObject } from "./put-object.js";
import { abortMultipartUpload } from "./abort-multipart-upload.js";
import { completeMultipartUpload } from "./complete-multipart-upload.js";
import { createMultipartUpload } from "./create-multipart-upload.js";
import { listMultipartUploads } from "./list-multipart-uploads.js";
import { listParts } from "./list-parts.js";
import { uploadPart } from "./upload-part.js";
import { uploadPartCopy } from "./upload-part-copy.js";

/** Every S3 operation this server implements; the rest answer NotImplemented. */
export const OPERATIONS: Partial<Record<S3Operation, S3Handler>> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketVersioning: getBucketVersioning,
  PutBucketVersioning: putBucketVersioning,
  GetBucketTagging: getBucketTagging,
  PutBucketTagging: putBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  GetBucketCors: getBucketCors,
  PutBucketCors: putBucketCors,
  DeleteBucketCors: deleteBucketCors,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: getObject,
  DeleteObject: deleteObject,
  DeleteObjects: deleteObjects,
  CopyObject: copyObject,
  PostObject: postObject,
  GetObjectTagging: getObjectTagging,
  PutObjectTagging: putObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
  GetObjectAttributes: getObjectAttributes,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
};
