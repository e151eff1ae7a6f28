namespace Optimizer.Build.Tasks.Discovery;

/// <summary>Model paths as the plan and manifest carry them: '/'-separated, relative to the project.</summary>
internal static class ModelPaths
{
    /// <summary>'/'-separated, without a leading "./"; relative to the project folder when inside it.</summary>
    public static string Normalize(string path, string projectDirectory)
    {
        var normalized = path.Replace('\\', '/');
        if (Path.IsPathRooted(path))
        {
            var root = projectDirectory.Replace('\\', '/').TrimEnd('/') + "/";
            if (normalized.StartsWith(root, StringComparison.OrdinalIgnoreCase))
                normalized = normalized.Substring(root.Length);
        }

        return WithoutDotSlash(normalized);
    }

    /// <summary>Paths compare without case: the same file on Windows and macOS file systems.</summary>
    public static bool Equal(string a, string b) =>
        string.Equals(WithoutDotSlash(a), WithoutDotSlash(b), StringComparison.OrdinalIgnoreCase);

    private static string WithoutDotSlash(string path)
    {
        var normalized = path.Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal))
            normalized = normalized.Substring(2);
        return normalized;
    }

    public static string FullPath(string modelPath, string projectDirectory) =>
        Path.GetFullPath(Path.Combine(projectDirectory, modelPath.Replace('/', Path.DirectorySeparatorChar)));
}
