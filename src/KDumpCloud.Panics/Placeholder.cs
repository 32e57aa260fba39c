namespace KDumpCloud.Panics;
internal static class Placeholder;
