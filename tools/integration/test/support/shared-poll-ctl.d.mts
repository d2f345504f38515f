// Types of support/shared-poll-ctl.mjs.
export declare const C_READY: number;
export declare const C_STOP: number;
export declare const C_SECTIONS: number;
export declare const C_ERRORS: number;
export declare const C_HELD: number;
export declare const C_RELEASE: number;
