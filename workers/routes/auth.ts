// Placeholder until the accounts work lands (register, login, logout).
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
export const authRoutes = new Hono<AppEnv>();
