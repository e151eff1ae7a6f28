using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Storage;

/// <summary>The project's weights-storage properties, read once per build (<see cref="StorageOptions"/> declares them).</summary>
internal sealed record StorageSettings(WeightsStorageMode Mode, long EmbedLimitBytes, string Folder)
{
    /// <summary>The settings, or null after an OPT1003 error at the project file for each invalid property.</summary>
    public static StorageSettings? Read(string? mode, string? embedLimitBytes, string? folder, DiagnosticLog diagnostics, string projectFile)
    {
        var parsedMode = StorageOptions.ParseMode(mode, WeightsStorageMode.Auto);
        var parsedLimit = StorageOptions.ParseLimit(embedLimitBytes);
        var parsedFolder = StorageOptions.ParseFolder(folder);
        Check(parsedMode is not null, StorageOptions.Property, mode, StorageOptions.ExpectedMode);
        Check(parsedLimit is not null, StorageOptions.EmbedLimitProperty, embedLimitBytes, StorageOptions.ExpectedLimit);
        Check(parsedFolder is not null, StorageOptions.FolderProperty, folder, StorageOptions.ExpectedFolder);
        return parsedMode is { } m && parsedLimit is { } l && parsedFolder is not null ? new StorageSettings(m, l, parsedFolder) : null;

        void Check(bool valid, string property, string? value, string expected)
        {
            if (!valid)
            {
                diagnostics.Error(DiagnosticCodes.InvalidValue, SourceLocation.FileOnly(projectFile),
                    $"{property} is '{value}', but it must be {expected}. Fix the property or remove it.");
            }
        }
    }
}
