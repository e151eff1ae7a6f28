using Optimizer.Onnx.Files;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>
/// A declared data option (Calibration, Validation, …): a regular file (<see cref="DeclaredFile"/>'s
/// rules), or a folder in ONNX's test-data layout (<see cref="TestDataFolders"/>), whose feed files
/// each follow the same rules. Lists the files the build hashes, so editing any feed re-runs the engine.
/// </summary>
internal static class DeclaredData
{
    /// <summary>The files that make up the data, ordinal; one for a file, every feed's inputs for a folder.</summary>
    /// <exception cref="UntrustedFileException">A folder that is not in the test-data layout (the reason says why).</exception>
    public static IReadOnlyList<string> Files(string fullPath)
    {
        if (!TestDataFolders.IsFolder(fullPath))
            return [fullPath];
        try
        {
            return TestDataFolders.FeedFolders(fullPath).SelectMany(TestDataFolders.InputFiles).ToList();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new UntrustedFileException(UntrustedFileProblem.NotRegular, fullPath, "it is a folder that " + e.Message);
        }
    }

    /// <summary>Why the data at <paramref name="fullPath"/> cannot be used (its path, problem and reason), or null.</summary>
    public static UntrustedFileException? Refusal(string fullPath)
    {
        try
        {
            return Files(fullPath).Select(f => DeclaredFile.Refusal(f, DeclaredFile.MaxDataBytes)).FirstOrDefault(r => r is not null);
        }
        catch (UntrustedFileException e)
        {
            return e;
        }
    }
}
