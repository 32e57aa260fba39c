namespace KDumpCloud.Kdump;
internal static class Placeholder;
