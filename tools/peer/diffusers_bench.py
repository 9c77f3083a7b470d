"""The diffusers peer of `tenshot bench`: the same rows, measured with diffusers + peft on PyTorch.

Random full-size SD 2.1 weights from a diffusers config folder (no download), fp16 on CUDA. Rows:
UNet forward per size and batch, txt2img (DDIM, CFG 7.5) seconds per image, and one DreamBooth-LoRA
training step (batch 2 = instance + class, LoRA on to_q/to_k/to_v/to_out.0, autocast fp16 with fp32 LoRA
weights, v-prediction MSE, clip_grad_norm_ 1.0, torch AdamW), as diffusers' train_dreambooth_lora.py does
it. Each row reports PyTorch's allocated and reserved peaks and the device memory in use.

    PYTHONPATH=<diffusers>/src python3 tools/peer/diffusers_bench.py --config ../shared/fixtures/sd21-configs \
        --tokenizer ../shared/fixtures/tiny-sd21/tokenizer
"""
import argparse
import statistics
import time

import torch


def parse_ints(text):
    return [int(x) for x in text.split(",") if x]


def memory_columns():
    free, total = torch.cuda.mem_get_info()
    return (f"allocated peak {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB, "
            f"reserved peak {torch.cuda.max_memory_reserved() / 2**20:.0f} MiB, "
            f"device in use {(total - free) / 2**20:.0f} MiB")


def reset_memory():
    torch.cuda.synchronize()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config", required=True)
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--sizes", default="512,768")
    p.add_argument("--batches", default="2,16")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--txt2img-size", type=int, default=768)
    p.add_argument("--train-sizes", default="512,768")
    p.add_argument("--train-rank", type=int, default=32)
    p.add_argument("--train-repeats", type=int, default=5)
    p.add_argument("--skip-unet", action="store_true")
    p.add_argument("--skip-txt2img", action="store_true")
    p.add_argument("--skip-training", action="store_true")
    a = p.parse_args()

    import diffusers
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    device, dtype = "cuda", torch.float16
    print(f"peer: diffusers {diffusers.__version__}, torch {torch.__version__}, {torch.cuda.get_device_name()}")
    torch.manual_seed(0)
    rows = []

    def row(what, size, batch, time_text):
        r = (what, f"{size} px", batch, time_text, memory_columns())
        rows.append(r)
        print("  " + " | ".join(r), flush=True)

    unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(f"{a.config}/unet")).to(device, dtype)
    unet.eval().requires_grad_(False)
    if not (a.skip_unet and a.skip_txt2img):
        text_encoder = CLIPTextModel(CLIPTextConfig.from_pretrained(f"{a.config}/text_encoder")).to(device, dtype)
        vae = AutoencoderKL.from_config(AutoencoderKL.load_config(f"{a.config}/vae")).to(device, dtype)
        tokenizer = CLIPTokenizer.from_pretrained(a.tokenizer)
        scheduler = DDIMScheduler.from_config(DDIMScheduler.load_config(f"{a.config}/scheduler"))
        context_dim = unet.config.cross_attention_dim
        with torch.no_grad():
            if not a.skip_unet:
                for size in parse_ints(a.sizes):
                    for batch in parse_ints(a.batches):
                        reset_memory()
                        latents = torch.randn(batch, 4, size // 8, size // 8, device=device, dtype=dtype)
                        context = torch.randn(batch, 77, context_dim, device=device, dtype=dtype)
                        t = torch.tensor([500] * batch, device=device)
                        median, best = timed(lambda: unet(latents, t, context).sample, a.warmup, a.repeats)
                        row("UNet forward", size, f"batch {batch}", f"{median:.1f} ms (median of {a.repeats}, min {best:.1f})")
                        del latents, context
            if not a.skip_txt2img:
                pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                               scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                               requires_safety_checker=False)
                pipe.set_progress_bar_config(disable=True)
                size = a.txt2img_size
                run = lambda: pipe("an image of a dolphin in style_00", height=size, width=size,
                                   num_inference_steps=a.steps, guidance_scale=7.5, output_type="np")
                reset_memory()
                median, best = timed(run, 1, 1)
                row(f"txt2img {a.steps} steps", size, "1 image, CFG 7.5", f"{median / 1000:.2f} s per image")
                del pipe
        del text_encoder, vae

    if not a.skip_training:
        from peft import LoraConfig
        rank = a.train_rank
        unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian",
                                    target_modules=["to_k", "to_q", "to_v", "to_out.0"]))
        for param in unet.parameters():
            if param.requires_grad:
                param.data = param.data.float()  # diffusers' cast_training_params: fp32 LoRA on the fp16 UNet
        params = [q for q in unet.parameters() if q.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-2, eps=1e-8)
        train_scheduler = DDIMScheduler.from_config(DDIMScheduler.load_config(f"{a.config}/scheduler"))
        unet.train()
        for size in parse_ints(a.train_sizes):
            latents = torch.randn(2, 4, size // 8, size // 8, device=device)
            noise = torch.randn_like(latents)
            context = torch.randn(2, 77, unet.config.cross_attention_dim, device=device, dtype=dtype)
            t = torch.tensor([500, 250], device=device)

            def step():
                noisy = train_scheduler.add_noise(latents, noise, t)
                target = train_scheduler.get_velocity(latents, noise, t)
                with torch.autocast("cuda", dtype=dtype):
                    pred = unet(noisy.to(dtype), t, context).sample
                instance = torch.nn.functional.mse_loss(pred[:1].float(), target[:1].float())
                prior = torch.nn.functional.mse_loss(pred[1:].float(), target[1:].float())
                loss = instance + prior
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                loss.item()

            reset_memory()
            median, best = timed(step, a.warmup, a.train_repeats)
            row(f"training step (LoRA rank {rank}, AdamW)", size, "batch 2 (instance + class)",
                f"{median:.1f} ms per step (median of {a.train_repeats}, min {best:.1f})")

    print()
    print("| what | size | batch | time | memory |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
