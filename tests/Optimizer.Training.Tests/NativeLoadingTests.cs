using Optimizer.Training.Native;
using TorchSharp;

namespace Optimizer.Training.Tests;

public class NativeLoadingTests
{
    [Fact]
    public void TorchSharp_runs_after_EnsureLoaded()
    {
        TorchNativeLibrary.EnsureLoaded();
        using var a = torch.ones(2, 3);
        Assert.Equal(6f, a.sum().item<float>());
        Assert.NotNull(TorchNativeLibrary.LoadedFrom);
    }
}
