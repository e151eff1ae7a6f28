using Optimizer.Training.Native;
using Xunit.Abstractions;

namespace Optimizer.Training.Tests;

/// <summary>The ELF edit on TorchSharp's real Linux shim, and the guard that refuses unsafe edits.</summary>
public class ElfVersionPatcherTests
{
    /// <summary>
    /// TorchSharp's Linux shim in the NuGet packages folder. This project references TorchSharp, so
    /// restoring it put the file there (the shim loads from there in every test of this project).
    /// </summary>
    internal static string Shim()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"{path} is missing: restore this project (dotnet restore) so the TorchSharp package is present.");
        return path;
    }

    [Fact]
    public void The_shim_needs_GLIBCXX_3_4_32_for_one_link_marker_only()
    {
        var path = Shim();
        var requirement = Assert.Single(ElfVersionPatcher.Read(File.ReadAllBytes(path)), r => r.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", requirement.File);
        Assert.Equal(["_ZSt21ios_base_library_initv"], requirement.Symbols);
        Assert.False(requirement.WasWeak);
    }

    [Fact]
    public void Marking_the_marker_version_weak_changes_only_its_flag()
    {
        var path = Shim();
        var original = File.ReadAllBytes(path);
        var patched = original.ToArray();
        ElfVersionPatcher.MarkWeak(patched, ["GLIBCXX_3.4.32"]);

        Assert.True(ElfVersionPatcher.Read(patched).Single(r => r.Version == "GLIBCXX_3.4.32").WasWeak);
        Assert.All(ElfVersionPatcher.Read(patched).Where(r => r.Version != "GLIBCXX_3.4.32"), r => Assert.False(r.WasWeak));
        // One byte differs: the low byte of vna_flags (0 → 2).
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Single(differing);
        Assert.Equal(2, patched[differing[0]]);
        // The package's own file is never touched.
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_version_that_real_functions_use_is_refused()
    {
        var path = Shim();
        var bytes = File.ReadAllBytes(path);
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkWeak(bytes, ["GLIBCXX_3.4.30"]));
        Assert.Contains("condition_variable", e.Message);
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkWeak(bytes, ["GLIBCXX_9.9"]));
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkWeak(new byte[100], ["GLIBCXX_3.4.32"]));
    }
}

/// <summary>The compatibility copy is written once per shim, in the cache folder, and loads.</summary>
public class PatchedCopyTests(ITestOutputHelper output)
{
    [Fact]
    public void The_copy_is_written_atomically_once_and_carries_the_weak_flag()
    {
        var shim = ElfVersionPatcherTests.Shim();
        var cache = Path.Combine(Path.GetTempPath(), "optimizer-training-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            var copy = TorchNativeLibrary.PatchedCopy(shim, ["GLIBCXX_3.4.32"], cache);
            Assert.StartsWith(cache, copy);
            Assert.True(ElfVersionPatcher.Read(File.ReadAllBytes(copy)).Single(r => r.Version == "GLIBCXX_3.4.32").WasWeak);
            var written = File.GetLastWriteTimeUtc(copy);
            Assert.Equal(copy, TorchNativeLibrary.PatchedCopy(shim, ["GLIBCXX_3.4.32"], cache));
            Assert.Equal(written, File.GetLastWriteTimeUtc(copy));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(copy)!));   // no temporary file left behind
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public void TorchSharp_loads_its_shim_from_the_package_or_the_compatibility_copy_never_a_copy_of_libtorch()
    {
        TorchNativeLibrary.EnsureLoaded();
        output.WriteLine($"LibTorchSharp loaded from {TorchNativeLibrary.LoadedFrom}");
        Assert.EndsWith("libLibTorchSharp.so", TorchNativeLibrary.LoadedFrom);
        using var x = TorchSharp.torch.arange(6).reshape(2, 3);
        Assert.Equal(15L, x.sum().item<long>());
        // TorchSharp's fallback copies libtorch into a "cpu" folder beside TorchSharp.dll when its own load fails.
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "cpu")));
    }
}
