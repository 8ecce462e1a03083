export { isLabelColumn, LABEL_COLUMNS, labelExpression, MATCH_ALL, RAW_ONLY_COLUMNS, type LabelColumn, type SampleFilter } from "./filter.js";
export { emptyProfile, type FrameInfo, type Source, type StackCount, type StackProfile } from "./profile.js";
